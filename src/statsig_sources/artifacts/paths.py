"""Every path the tool reads or writes in dbt's target directory, derived in this one place.

dbt writes `manifest.json`, `run_results.json` and (with `dbt docs generate`) `catalog.json` to one target
directory. The tool reads them there and keeps three files of its own beside them: the SQL answers it
remembers between runs (sql/answers.py), the notices it has already said (commands/_notices.py) and
the reports it made for the same inputs (commands/_remembered.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from statsig_sources.support.errors import ManifestError

# The bytes of artifacts already read, by path: a file that is not a key was not there.
Contents = Mapping[Path, bytes]

MANIFEST_FILE = "manifest.json"
RUN_RESULTS_FILE = "run_results.json"
CATALOG_FILE = "catalog.json"
SQL_ANSWERS_FILE = "statsig_sources_sql_reads.json"
NOTICES_FILE = "statsig_sources_notices.json"
REMEMBERED_REPORTS_FILE = "statsig_sources_reports.json"


@dataclass(frozen=True)
class ArtifactPaths:
    manifest: Path
    run_results: Path  # where run_results.json is looked for
    run_results_given: bool  # named by the user (`--run-results`): its absence is an error
    catalog: Path
    # Where earlier runs' SQL answers are remembered; None: nowhere (a manifest under another name is a
    # copy kept elsewhere, a fixture or an artifact saved by hand, and nothing is written beside it).
    sql_answers: Path | None
    notices: Path
    remembered_reports: Path | None  # commands' reports, for the same inputs (commands/_remembered.py)

    @classmethod
    def beside(
        cls, manifest: Path, run_results: Path | None = None, *, remember: bool = True
    ) -> ArtifactPaths:
        """The paths for the manifest at `manifest`: the other artifacts beside it, as dbt lays them out,
        except run results named elsewhere."""
        directory = manifest.parent
        in_target = manifest.name == MANIFEST_FILE
        return cls(
            manifest=manifest,
            run_results=run_results if run_results is not None else directory / RUN_RESULTS_FILE,
            run_results_given=run_results is not None,
            catalog=directory / CATALOG_FILE,
            sql_answers=directory / SQL_ANSWERS_FILE if in_target and remember else None,
            notices=directory / NOTICES_FILE,
            remembered_reports=directory / REMEMBERED_REPORTS_FILE if in_target and remember else None,
        )


def read_contents(paths: ArtifactPaths) -> dict[Path, bytes]:
    """The bytes of the manifest, the run results and the catalog, each read once: a command that
    remembers its report keys it on exactly the bytes it then reads the artifacts from."""
    contents = {}
    for path, what in (
        (paths.manifest, "manifest"),
        (paths.run_results, "run results"),
        (paths.catalog, "catalog"),
    ):
        try:
            contents[path] = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise ManifestError(f"cannot read {what} {path}: {error}") from None
    return contents


def resolve_manifest_path(project_dir: Path, target_path: str, manifest: Path | None) -> Path:
    """`--manifest` when given, else `<project-dir>/<target-path>/manifest.json`, as dbt lays it out."""
    path = manifest if manifest is not None else project_dir / target_path / MANIFEST_FILE
    if not path.is_file():
        raise ManifestError(
            f"no dbt manifest at {path}: run `dbt parse` (or `dbt compile`) first, or point --manifest at one"
        )
    return path
