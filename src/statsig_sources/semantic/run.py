"""One import: read the Semantic Layer, map it, and bring the generated folder in line (or, with
`check`, only say what would change)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from statsig_sources.semantic.files import FileChanges, sync_files, with_header
from statsig_sources.semantic.layer import RECORDED_UNITS_KEY, SemanticLayer, load_semantic_layer
from statsig_sources.semantic.mapping import map_metrics
from statsig_sources.semantic.outcomes import IMPORTED, SKIPPED, Outcome
from statsig_sources.semantic.sources import SourceBuilder, model_name, source_builder
from statsig_sources.semantic.units import entity_unit_types
from statsig_sources.support.errors import InputError


@dataclass(frozen=True)
class ImportResult:
    outcomes: tuple[Outcome, ...]  # semantic models first, then metrics, each in name order
    files: FileChanges
    check: bool
    strict: bool

    @property
    def skipped(self) -> int:
        return sum(outcome.status == SKIPPED for outcome in self.outcomes)

    @property
    def refused_by_strict(self) -> bool:
        return self.strict and self.skipped > 0

    @property
    def failed(self) -> bool:
        """Exit 1: a file left alone, `--strict` with a skip, or `--check` with a change."""
        return bool(self.files.kept) or self.refused_by_strict or (self.check and self.files.changed)


def import_semantic_layer(
    manifest: Path, project_dir: Path, out_dir: Path, *, check: bool, strict: bool, force: bool
) -> ImportResult:
    """Import the manifest's Semantic Layer into `out_dir`. Under `strict`, a skip writes nothing."""
    layer = load_semantic_layer(manifest)
    unit_types = entity_unit_types(project_dir)
    _check_recorded_units(layer, unit_types)
    builders: dict[str, SourceBuilder] = {}
    model_outcomes = []
    for model in layer.semantic_models:
        built = source_builder(model, unit_types)
        if isinstance(built, str):
            model_outcomes.append(Outcome("semantic model", model.name, "", SKIPPED, reason=built))
            continue
        builders[model.name] = built
        became = f"model `{model_name(model.name)}`, Statsig source `{model.name}`"
        model_outcomes.append(Outcome("semantic model", model.name, "", IMPORTED, became))
    metric_outcomes = map_metrics(layer, builders)
    outcomes = (*model_outcomes, *metric_outcomes)
    dry = check or (strict and any(outcome.status == SKIPPED for outcome in outcomes))
    if not dry:
        out_dir.mkdir(parents=True, exist_ok=True)
    wanted = _files(builders)
    if out_dir.is_dir():
        files = sync_files(out_dir, wanted, check=dry, force=force)
    else:  # a dry run before the first import: every file would be created
        files = FileChanges(created=sorted(wanted))
    return ImportResult(outcomes, files, check, strict)


def _files(builders: dict[str, SourceBuilder]) -> dict[str, str]:
    """Each source's two files: the model's SQL and its properties file."""
    wanted = {}
    for builder in builders.values():
        name = model_name(builder.model.name)
        sql = (
            f"{{{{ config(materialized='view', meta={{'{RECORDED_UNITS_KEY}': "
            f"var('{RECORDED_UNITS_KEY}', none)}}) }}}}\n"
            f"{{{{ statsig_sources.statsig_source(ref('{builder.model.model_name}')) }}}}\n"
        )
        properties = yaml.safe_dump(
            {"version": 2, "models": [builder.entry()]}, sort_keys=False, allow_unicode=True, width=100
        )
        wanted[f"{name}.sql"] = with_header(f"{name}.sql", sql)
        wanted[f"{name}.yml"] = with_header(f"{name}.yml", properties)
    return wanted


def _check_recorded_units(layer: SemanticLayer, unit_types: dict[str, str]) -> None:
    """The var as dbt resolved it (recorded by each generated model) must be the one dbt_project.yml
    reads: `--vars` or a Jinja default would otherwise map entities differently in the two places."""
    for model, recorded in sorted(layer.recorded_unit_types.items()):
        if recorded != unit_types:
            raise InputError(
                f"model `{model}` records var `{RECORDED_UNITS_KEY}` as dbt resolved it, {recorded!r}, "
                f"but dbt_project.yml reads {unit_types!r}: run `dbt parse` without --vars overriding "
                "it (or after changing it), then import again"
            )
