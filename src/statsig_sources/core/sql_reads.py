"""Every piece of SQL in a project, read once (in parallel when there is much of it) for the SQL rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from statsig_sources.core.sql import SqlResult, dialect_for, read_many

if TYPE_CHECKING:
    from statsig_sources.core.metrics import Criterion
    from statsig_sources.core.project import MetricSource, Project

COMPILED = "compiled SQL"


def user_sql(source: MetricSource) -> Iterable[tuple[str, str, bool]]:
    """(what, sql, is_query) for every piece of SQL the user wrote into the declaration.

    Filters and formulas are expressions over the governed relation's columns: any relation they
    read (through a subquery) is reported.
    """
    declaration = source.declaration
    if declaration is None:
        return
    if declaration.sql:
        yield "sql override", declaration.sql, True
    if declaration.filter:
        yield "filter", declaration.filter, False
    for key, formula in declaration.custom_fields:
        yield f"custom field `{key}`", formula, False
    for what, sql, _reads in metric_sql(source):
        yield what, sql, False


def metric_sql(source: MetricSource) -> Iterable[tuple[str, str, str | None]]:
    """(what, sql, source name) for every `sql_filter` criterion of the source's metrics: the name of the
    source whose governed relation the SQL runs on, or None for this one (a ratio's denominator criteria
    run on the denominator's source)."""
    for metric in source.declaration.metrics if source.declaration is not None else ():
        parts: list[tuple[str, tuple[Criterion, ...], str | None]] = [("", metric.criteria, None)]
        if metric.denominator is not None:
            parts.append(("denominator ", metric.denominator.criteria, metric.denominator.source))
        for part, criteria, reads in parts:
            for number, criterion in enumerate(criteria, start=1):
                if criterion.sql is not None:
                    yield f"metric `{metric.name}` {part}criterion #{number} sql", criterion.sql, reads


def read_project_sql(project: Project) -> Mapping[tuple[str, str], SqlResult]:
    """(node id, what) -> the relations that SQL reads, or why it does not parse."""
    keys: list[tuple[str, str]] = []
    jobs: list[tuple[str, bool]] = []
    for source in project.sources:
        if source.model.compiled_code is not None:
            keys.append((source.model.unique_id, COMPILED))
            jobs.append((source.model.compiled_code, True))
        for what, sql, is_query in user_sql(source):
            keys.append((source.model.unique_id, what))
            jobs.append((sql, is_query))
    if not jobs:
        return {}
    return dict(zip(keys, read_many(jobs, dialect_for(project.manifest.adapter_type)), strict=True))
