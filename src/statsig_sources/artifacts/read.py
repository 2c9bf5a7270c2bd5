"""The artifacts of one dbt invocation, read together: what every later stage starts from."""

from __future__ import annotations

from dataclasses import dataclass

from statsig_sources.artifacts.manifest import Manifest, load_manifest
from statsig_sources.artifacts.paths import ArtifactPaths, Contents
from statsig_sources.artifacts.run_results import RunResults, load_run_results
from statsig_sources.support.errors import ManifestError


@dataclass(frozen=True)
class Artifacts:
    paths: ArtifactPaths  # where each was read from (and where the tool's own files go)
    manifest: Manifest  # with catalog.json's columns when one is beside it
    run_results: RunResults | None  # None when there is no file where they were looked for


def read_artifacts(paths: ArtifactPaths, contents: Contents | None = None) -> Artifacts:
    """Read the manifest (and the catalog beside it) and the run results, from `contents` when their
    bytes were read already (paths.read_contents). Run results named by the user must exist; beside the
    manifest, they may not (`dbt parse` writes none)."""
    results = paths.run_results
    there = results in contents if contents is not None else results.is_file()
    if paths.run_results_given and not there:
        raise ManifestError(f"no run results at {results} (--run-results)")
    manifest = load_manifest(paths.manifest, paths.catalog, contents)
    data = contents.get(results) if contents is not None else None
    run_results = load_run_results(results, data) if there else None
    return Artifacts(paths, manifest, run_results)
