"""The artifacts of one dbt invocation, read together: what every later stage starts from."""

from __future__ import annotations

from dataclasses import dataclass

from statsig_sources.artifacts.manifest import Manifest, load_manifest
from statsig_sources.artifacts.paths import ArtifactPaths
from statsig_sources.artifacts.run_results import RunResults, read_run_results
from statsig_sources.support.errors import ManifestError


@dataclass(frozen=True)
class Artifacts:
    paths: ArtifactPaths  # where each was read from (and where the tool's own files go)
    manifest: Manifest  # with catalog.json's columns when one is beside it
    run_results: RunResults | None  # None when there is no file where they were looked for


def read_artifacts(paths: ArtifactPaths) -> Artifacts:
    """Read the manifest (and the catalog beside it) and the run results. Run results named by the user
    must exist; beside the manifest, they may not (`dbt parse` writes none)."""
    if paths.run_results_given and not paths.run_results.is_file():
        raise ManifestError(f"no run results at {paths.run_results} (--run-results)")
    manifest = load_manifest(paths.manifest, paths.catalog)
    return Artifacts(paths, manifest, read_run_results(paths.run_results))
