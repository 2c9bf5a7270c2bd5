"""Rules that read SQL with sqlglot: what user-written SQL and the governed views' compiled SQL read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from statsig_sources.errors import SqlParseError
from statsig_sources.manifest import Relation
from statsig_sources.project import MetricSource, Project, Violation, declared_sources, violation
from statsig_sources.relations import TableRef
from statsig_sources.sql import dialect_for, tables_read, tables_read_by_expression


def _user_sql(source: MetricSource) -> Iterable[tuple[str, str, bool]]:
    """(what, sql, is_query) for every piece of SQL the user wrote into the declaration.

    Filters and formulas are expressions over the governed relation's columns: any relation they
    read (through a subquery) is reported.
    """
    declaration = source.declaration
    assert declaration is not None
    if declaration.sql:
        yield "sql override", declaration.sql, True
    if declaration.filter:
        yield "filter", declaration.filter, False
    for key, formula in declaration.custom_fields:
        yield f"custom field `{key}`", formula, False


def _foreign_tables(what: str, tables: frozenset[TableRef], governed: TableRef) -> list[str]:
    problems = []
    for table in sorted(tables, key=str):
        if what == "sql override" and table.schema and table.matches(governed):
            continue
        if what == "sql override" and table.schema is None and table.matches(governed):
            problems.append(f"its {what} reads `{table}` without a schema; qualify it as `{governed}`")
            continue
        problems.append(f"its {what} reads `{table}`; it may read only the governed relation `{governed}`")
    return problems


def check_user_sql(project: Project) -> list[Violation]:
    """A SQL override, filter or custom field formula that reads anything but the governed relation."""
    sources = declared_sources(project)
    if not sources:
        return []
    dialect = dialect_for(project.manifest.adapter_type)
    found = []
    for source, _ in sources:
        for what, sql, is_query in _user_sql(source):
            try:
                read = tables_read if is_query else tables_read_by_expression
                tables = read(sql, dialect)
            except SqlParseError as error:
                found.append(
                    violation("user_sql", source, f"its {what} does not parse as {dialect}: {error}")
                )
                continue
            for problem in _foreign_tables(what, tables, source.model.relation):
                found.append(violation("user_sql", source, problem))
    return found


def _index(relations: Iterable[Relation]) -> dict[str, list[Relation]]:
    by_name: dict[str, list[Relation]] = defaultdict(list)
    for relation in relations:
        by_name[relation.ref.key()[2]].append(relation)
    return by_name


def check_lineage(project: Project) -> list[Violation]:
    """Compiled SQL of a source that reads a relation dbt does not manage, or one it does not ref()."""
    if not project.sources:
        return []
    dialect = dialect_for(project.manifest.adapter_type)
    managed = _index(project.manifest.relations.values())
    uncompiled = [source for source in project.sources if source.model.compiled_code is None]
    found = (
        [
            Violation(
                "",
                "lineage",
                f"{len(uncompiled)} metric source(s) have no compiled SQL in the manifest (written by `dbt "
                "parse`): run `dbt compile` so validate can prove what they read",
                "warning",
            )
        ]
        if uncompiled
        else []
    )
    for source in project.sources:
        if source.model.compiled_code is not None:
            found += _lineage(source, source.model.compiled_code, dialect, managed)
    return found


def _lineage(
    source: MetricSource, compiled: str, dialect: str, managed: dict[str, list[Relation]]
) -> list[Violation]:
    try:
        tables = tables_read(compiled, dialect)
    except SqlParseError as error:
        return [violation("lineage", source, f"its compiled SQL does not parse as {dialect}: {error}")]
    allowed = set(source.model.depends_on) | {source.model.unique_id}
    found = []
    for table in sorted(tables, key=str):
        matches = [relation for relation in managed.get(table.key()[2], ()) if table.matches(relation.ref)]
        if any(relation.unique_id in allowed for relation in matches):
            continue
        if matches:
            message = f"reads `{table}` without ref() or source(), so dbt's lineage does not show it"
        else:
            message = (
                f"reads `{table}`, which dbt does not manage (a hard-coded name escapes lineage); "
                "declare it as a dbt source and use source()"
            )
        found.append(violation("lineage", source, message))
    return found
