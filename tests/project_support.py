"""The project as the CLI builds it from a manifest path, for tests that check the library directly."""

from __future__ import annotations

from pathlib import Path

from statsig_sources.artifacts.paths import ArtifactPaths
from statsig_sources.artifacts.read import read_artifacts
from statsig_sources.declaration.settings import SettingOptions, Settings
from statsig_sources.project import Project, build_project


def load_project(
    manifest: Path,
    options: SettingOptions | Settings | None = None,
    run_results: Path | None = None,
    *,
    sql_cache: bool = True,
) -> Project:
    """Read the artifacts beside `manifest` (run results from `run_results` when given) and build the
    project; with `sql_cache` false, SQL answers are not remembered between runs."""
    paths = ArtifactPaths.beside(manifest, run_results, remember=sql_cache)
    return build_project(read_artifacts(paths), options)
