"""The project every later stage reads: the manifest's metric sources, each with its declaration and the
gate's answer for it, and the settings. Built from artifacts already read: no file is read or written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from statsig_sources.artifacts.manifest import Manifest, SourceModel
from statsig_sources.artifacts.read import Artifacts
from statsig_sources.artifacts.run_results import RunResults
from statsig_sources.declaration.admission import Admission, admit, model_problems
from statsig_sources.declaration.checker import Problem
from statsig_sources.declaration.ownership import default_marker
from statsig_sources.declaration.settings import (
    SettingOptions,
    Settings,
    recorded_by_package,
    recorded_settings,
    resolve_settings,
)
from statsig_sources.declaration.source import Declaration, parse_declaration


@dataclass(frozen=True)
class MetricSource:
    """A metric source model, its parsed declaration (None when the declaration is invalid) and the
    gate's answer for it (declaration/admission.py): whether it is usable, and its name."""

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
    artifacts: Artifacts  # what dbt wrote, and where each file was read from
    settings: Settings
    sources: tuple[MetricSource, ...]

    @property
    def manifest(self) -> Manifest:
        return self.artifacts.manifest

    @property
    def run_results(self) -> RunResults | None:
        """run_results.json as read; None when there was no file where it was looked for."""
        return self.artifacts.run_results

    @property
    def invocation_results(self) -> RunResults | None:
        """The run results of the dbt invocation that wrote the manifest, whatever its command."""
        results = self.run_results
        return results if results is not None and results.written_with(self.manifest.invocation_id) else None

    @property
    def marker(self) -> str:
        """The ownership tag `render` writes and `plan`/`apply` look for: one value for all three."""
        if self.settings.marker is not None:
            return self.settings.marker
        return default_marker(self.manifest.project_name)


def build_project(artifacts: Artifacts, options: SettingOptions | Settings | None = None) -> Project:
    """Parse every source's declaration, with the settings the package recorded in the manifest unless
    `options` override them (or are settings already)."""
    manifest = artifacts.manifest
    settings = options if isinstance(options, Settings) else _settings(manifest, options or SettingOptions())
    sources = [_metric_source(model, settings) for model in manifest.sources]
    return Project(artifacts, settings, tuple(sorted(sources, key=lambda source: source.model.unique_id)))


def declared_sources(project: Project) -> list[tuple[MetricSource, Declaration]]:
    """The sources whose declaration parsed, with it."""
    return [(source, source.declaration) for source in project.sources if source.declaration is not None]


def _settings(manifest: Manifest, options: SettingOptions) -> Settings:
    models = sorted(manifest.sources, key=lambda model: model.unique_id)
    return resolve_settings(options, recorded_settings(recorded_by_package(model) for model in models))


def _metric_source(model: SourceModel, settings: Settings) -> MetricSource:
    declaration, problems = parse_declaration(
        model.declaration, model_name=model.name, custom_unit_types=settings.custom_unit_types
    )
    problems += model_problems(model)
    admission = admit(model.declaration, model.name, problems)
    return MetricSource(model, declaration if admission.usable else None, tuple(problems), admission)
