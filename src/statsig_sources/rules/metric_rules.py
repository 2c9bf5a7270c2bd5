"""Rules over the code-declared metrics (docs/metrics.md) that need more than one declaration, or the
SQL a source registers: what the contract (declaration/checker.py, and the package's macro) cannot see
from one model alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from statsig_sources.declaration.metrics import MetricDeclaration
from statsig_sources.declaration.source import Declaration, readable_columns
from statsig_sources.project import MetricSource, Project, declared_sources
from statsig_sources.rules.declaration_rules import contract_problems
from statsig_sources.rules.violations import Violation, violation
from statsig_sources.sql.dialects import dialect_for


def _path(metric: MetricDeclaration, key: str) -> str:
    return f"meta.statsig.metrics[{metric.name}].{key}"


def _metrics(project: Project) -> Iterable[tuple[MetricSource, Declaration, MetricDeclaration]]:
    for source, declaration in declared_sources(project):
        for metric in declaration.metrics:
            yield source, declaration, metric


def check_metric_sources(project: Project) -> list[Violation]:
    """A ratio's denominator names a source this project does not declare. Sources are named as the
    gate names them (declaration/admission.py): one whose declaration has a problem keeps its declared
    name, so a ratio on it is not reported again here (its own problem is)."""
    declared = sorted({name for source in project.sources if (name := source.admission.name) is not None})
    unnamed = [source.model.unique_id for source in project.sources if source.admission.name is None]
    found = []
    for source, _, metric in _metrics(project):
        if metric.denominator is not None and metric.denominator.source not in declared:
            message = (
                f"{_path(metric, 'denominator.source')} `{metric.denominator.source}` is not a metric source "
                f"declared in this project (declared: {', '.join(declared)})"
            )
            if unnamed:
                message += f"; the source_name of {', '.join(unnamed)} cannot be read"
            found.append(violation("metric_sources", source, message))
    return found


def check_metric_columns(project: Project) -> list[Violation]:
    """A column a metric reads that its source does not offer: not a canonical column or custom field of
    the source (the contract's check, and a ratio's denominator on its own source), or not selected by
    the source's SQL override."""
    found = contract_problems(project, "metric_columns")
    by_name = {source.name: declaration for source, declaration in declared_sources(project)}
    for source, declaration, metric in _metrics(project):
        reads = [(declaration, "its source's", key, column) for key, column in metric.own_columns()]
        denominator = metric.denominator
        other = by_name.get(denominator.source) if denominator is not None else None
        if denominator is not None and other is not None:
            for key, column in metric.denominator_columns():
                reads.append((other, f"source `{denominator.source}`'s", key, column))
                if column not in readable_columns(other):
                    message = (
                        f"{_path(metric, key)} `{column}` is not a column of source `{denominator.source}` "
                        f"(its columns: {', '.join(readable_columns(other))})"
                    )
                    found.append(violation("metric_columns", source, message))
        for read_from, whose, key, column in reads:
            offered = _override_columns(project, read_from)
            if offered is not None and column.lower() not in offered:
                message = (
                    f"{_path(metric, key)} `{column}` is not a column {whose} sql override selects (it "
                    f"selects: {', '.join(sorted(offered))})"
                )
                found.append(violation("metric_columns", source, message))
    return found


def _override_columns(project: Project, declaration: Declaration) -> set[str] | None:
    if declaration.sql is None or declaration.source_type != "query":
        return None
    from statsig_sources.sql.parse import output_columns  # sqlglot, only for a source with a sql override

    columns = output_columns(declaration.sql, dialect_for(project.manifest.adapter_type))
    if columns is None:
        return None
    return {*columns, *(key.lower() for key, _ in declaration.custom_fields)}


def check_duplicate_metric_names(project: Project) -> list[Violation]:
    """Two metrics with one name (compared without case): in one source (the contract's check) or in
    two models. A metric's name is its identity in Statsig (`<name>::user_warehouse`)."""
    found = contract_problems(project, "duplicate_metric_names")
    by_name: dict[str, list[tuple[MetricSource, MetricDeclaration]]] = defaultdict(list)
    for source, _, metric in _metrics(project):
        by_name[metric.name.lower()].append((source, metric))
    for same in by_name.values():
        models = {source.model.unique_id for source, _ in same}
        for source, metric in same if len(models) > 1 else ():
            others = ", ".join(sorted(models - {source.model.unique_id}))
            message = f"{_path(metric, 'name')} `{metric.name}` is also declared by {others}"
            found.append(violation("duplicate_metric_names", source, message))
    return found
