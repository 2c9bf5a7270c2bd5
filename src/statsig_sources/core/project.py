"""The validated project: the manifest's metric sources, their declarations and the settings to check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from statsig_sources.core.declaration import Declaration, parse_declaration
from statsig_sources.core.declaration_checks import Problem
from statsig_sources.core.errors import ManifestError
from statsig_sources.core.gate import Admission, admit, model_problems
from statsig_sources.core.manifest import Manifest, SourceModel, load_manifest
from statsig_sources.core.ownership import default_marker
from statsig_sources.core.run_results import RunResults, default_path, read_run_results
from statsig_sources.core.settings import SettingOptions, Settings, recorded_settings, resolve_settings
from statsig_sources.core.sql_results import cache_path

if TYPE_CHECKING:
    from statsig_sources.core.sql_results import SqlResult


@dataclass(frozen=True)
class MetricSource:
    """A metric source model, its parsed declaration (None when the declaration is invalid) and the
    gate's answer for it (core/gate.py): whether it is usable, and its name."""

    model: SourceModel
    declaration: Declaration | None
    declaration_problems: tuple[Problem, ...]
    admission: Admission

    @property
    def name(self) -> str:
        """The Statsig source name, as the gate reads it: `source_name`, else the model's name. A
        declaration whose source_name is not text has none (`admission.name` is None); its model's
        name stands in only where a name must be shown."""
        return self.admission.name if self.admission.name is not None else self.model.name


@dataclass(frozen=True)
class Project:
    manifest: Manifest
    settings: Settings
    sources: tuple[MetricSource, ...] = field(default=())
    manifest_path: Path | None = None
    run_results_path: Path | None = None  # where run_results.json was looked for
    run_results: RunResults | None = None  # None when there is no file there
    sql_cache_path: Path | None = None  # where earlier runs' SQL answers are remembered; None: nowhere

    @property
    def invocation_results(self) -> RunResults | None:
        """The run results of the dbt invocation that wrote the manifest, whatever its command."""
        results = self.run_results
        return results if results is not None and results.written_with(self.manifest.invocation_id) else None

    @cached_property
    def sql_reads(self) -> Mapping[tuple[str, str], SqlResult]:
        """(node id, what) -> relations read or `SqlParseError`, for every piece of SQL, read once."""
        from statsig_sources.core.sql_reads import read_project_sql

        return read_project_sql(self)

    @property
    def marker(self) -> str:
        """The ownership tag `render` writes and `plan`/`apply` look for: one value for all three."""
        if self.settings.marker is not None:
            return self.settings.marker
        return default_marker(self.manifest.project_name)


def build_project(
    manifest: Manifest,
    settings: Settings,
    *,
    manifest_path: Path | None = None,
    run_results_path: Path | None = None,
    run_results: RunResults | None = None,
    sql_cache_path: Path | None = None,
) -> Project:
    sources = []
    for model in manifest.sources:
        declaration, problems = parse_declaration(
            model.declaration, model_name=model.name, custom_unit_types=settings.custom_unit_types
        )
        problems += model_problems(model)
        admission = admit(model.declaration, model.name, problems)
        usable = declaration if admission.usable else None
        sources.append(MetricSource(model, usable, tuple(problems), admission))
    ordered = sorted(sources, key=lambda source: source.model.unique_id)
    return Project(
        manifest, settings, tuple(ordered), manifest_path, run_results_path, run_results, sql_cache_path
    )


def declared_sources(project: Project) -> list[tuple[MetricSource, Declaration]]:
    """The sources whose declaration parsed, with it."""
    return [(source, source.declaration) for source in project.sources if source.declaration is not None]


def load_project(
    manifest_path: Path,
    options: SettingOptions | Settings | None = None,
    run_results_path: Path | None = None,
    *,
    sql_cache: bool = True,
) -> Project:
    """Read the manifest (and catalog.json beside it), run_results.json (beside it unless given) and
    parse every source's declaration, with the settings the package recorded in the manifest unless
    `options` override them (or are settings already). With `sql_cache`, SQL answers are remembered
    beside the manifest between runs (sql_results.py)."""
    results_path = run_results_path if run_results_path is not None else default_path(manifest_path)
    if run_results_path is not None and not run_results_path.is_file():
        raise ManifestError(f"no run results at {run_results_path} (--run-results)")
    manifest = load_manifest(manifest_path)
    if isinstance(options, Settings):
        settings = options
    else:
        recorded = recorded_settings(model.recorded for model in sorted(manifest.sources, key=_by_id))
        settings = resolve_settings(options or SettingOptions(), recorded)
    return build_project(
        manifest,
        settings,
        manifest_path=manifest_path,
        run_results_path=results_path,
        run_results=read_run_results(results_path),
        sql_cache_path=cache_path(manifest_path) if sql_cache else None,
    )


def _by_id(model: SourceModel) -> str:
    return model.unique_id
