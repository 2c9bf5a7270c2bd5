"""Which release of the dbt package wrote a manifest, and whether this command line may read it.

The package and the command line are released together under one version (`statsig_sources.__version__`),
and the package records it in every metric source's meta beside the settings it resolved
(contract.json's `recorded`). While the major version is 0, a new minor version may change what the
two halves agree on (the declaration's keys, the recorded settings, the payloads), so a manifest from
another minor version (another major one, from 1.0 on) is refused before any rule reads it, with the
lines that move either half to the other's version. A manifest whose sources record settings but no
version comes from a package older than the first that recorded it (0.2.0), and is refused the same
way. A manifest whose sources record nothing was not written through the package's macro; there is
nothing to compare, and the rules say what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from statsig_sources import __version__
from statsig_sources.declaration.contract import contract
from statsig_sources.support.errors import InputError

# The first release whose package records its version in the manifest.
FIRST_RECORDED = "0.2.0"
# The oldest release, which recorded settings but no version: what to pin to keep such a manifest.
UNRECORDED = "0.1.0"
REPOSITORY = "https://github.com/<your-org>/statsig-sources.git"
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:[-.+]?[0-9A-Za-z.+-]*)?")
_PACKAGE_FILES = ("package-lock.yml", "packages.yml", "dependencies.yml")


def version_key() -> str:
    key: str = contract()["recorded"]["version_key"]
    return key


def series(version: str) -> tuple[int, ...] | None:
    """What must match for two releases to work together: the major and, while it is 0, the minor
    version. None when `version` is not a version."""
    found = _VERSION.fullmatch(version.strip())
    if found is None:
        return None
    major, minor = int(found.group(1)), int(found.group(2))
    return (major, minor) if major == 0 else (major,)


def recorded_version(records: Iterable[Mapping[str, Any]]) -> str | None:
    """The package version a manifest's sources record: None when they record nothing (no source was
    written through the package's macro), "" when they record settings but no version (a package
    older than FIRST_RECORDED).

    Raises InputError when the sources do not agree on one version, or record what is not a version.
    """
    key = version_key()
    recorded = [record for record in records if record]
    if not recorded:
        return None
    versions = {repr(record.get(key)): record.get(key) for record in recorded}
    if set(versions) == {repr(None)}:
        return ""
    version = next(iter(versions.values())) if len(versions) == 1 else None
    if not isinstance(version, str) or series(version) is None:
        shown = ", ".join(sorted(versions))
        raise InputError(
            f"the manifest's metric sources record the package versions {shown} "
            f"(meta.{contract()['recorded']['meta_key']}.{key}), not one release's version: run "
            "`dbt deps`, then rebuild the manifest with `dbt parse --no-partial-parse` (or the "
            "`dbt build` that writes it)"
        )
    return version


def release_line(version: str | None) -> str:
    """The versions a command's header states: this command line's, and the package's when the
    manifest records another patch release of the same minor version."""
    package = f", dbt package {version}" if version and version != __version__ else ""
    return f"statsig-sources {__version__}{package}"


def check_release(manifest_path: Path, records: Iterable[Mapping[str, Any]], project_dir: Path) -> str | None:
    """The package version the manifest records, when this command line reads that release's
    manifests; None when it records none. An input error (exit 2), with the lines to run, otherwise."""
    version = recorded_version(records)
    if version is None or series(version) == series(__version__):
        return version
    repository = package_repository(project_dir)
    if version == "":
        written = (
            f"{manifest_path} was written by a statsig_sources dbt package older than {FIRST_RECORDED}: its "
            f"metric sources record the package's settings but not its version "
            f"(meta.{contract()['recorded']['meta_key']}.{version_key()}, recorded since {FIRST_RECORDED})"
        )
        keep = f"{UNRECORDED.rsplit('.', 1)[0]}.x"
    else:
        written = f"{manifest_path} was written by the statsig_sources dbt package {version}"
        keep = version
    _refuse(written, keep, version or UNRECORDED, repository)


def _refuse(written: str, keep: str, pin: str, repository: str) -> NoReturn:
    raise InputError(
        f"{written}, and this is statsig-sources {__version__}: the package and the command line must "
        f"be the same minor version (docs/versions.md#upgrading). Either upgrade the package to "
        f"{__version__}, in packages.yml:\n"
        f'    revision: "v{__version__}"\n'
        "  then run `dbt deps` and rebuild the manifest (`dbt parse`, or the `dbt build` that writes it);\n"
        f"or install the command line released with the package ({keep}):\n"
        f'    pip install "statsig-sources @ git+{repository}@v{pin}"'
    )


def package_repository(project_dir: Path) -> str:
    """The git URL the project installs the package from (package-lock.yml, packages.yml or
    dependencies.yml), so the lines to run name it; a placeholder when none says."""
    import yaml

    for name in _PACKAGE_FILES:
        try:
            document = yaml.safe_load((project_dir / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        packages = document.get("packages") if isinstance(document, dict) else None
        for entry in packages if isinstance(packages, list) else ():
            url = entry.get("git") if isinstance(entry, dict) else None
            if isinstance(url, str) and re.search(r"statsig[-_]sources", url):
                return url
    return REPOSITORY
