"""Rules that read SQL with sqlglot: what user-written SQL and the governed views' compiled SQL read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from statsig_sources.artifacts.manifest import Relation
from statsig_sources.artifacts.relations import TableRef
from statsig_sources.artifacts.run_results import NOT_BUILT
from statsig_sources.project import MetricSource, Project, declared_sources
from statsig_sources.rules.violations import Violation, violation
from statsig_sources.sql.answers import SqlResult
from statsig_sources.sql.dialects import dialect_for
from statsig_sources.sql.reads import COMPILED, SqlAnswers, metric_sql, user_sql
from statsig_sources.support.errors import SqlParseError


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


def check_user_sql(project: Project, sql: SqlAnswers) -> list[Violation]:
    """A SQL override, filter or custom field formula that reads anything but the governed relation."""
    sources = declared_sources(project)
    if not sources:
        return []
    dialect = dialect_for(project.manifest.adapter_type)
    relations = {source.name: source.model.relation for source in project.sources}
    found = []
    for source, _ in sources:
        elsewhere = {what: name for what, _sql, name in metric_sql(source.declaration) if name is not None}
        for what, _sql, _is_query in user_sql(source.declaration):
            reads = sql[(source.model.unique_id, what)]
            if isinstance(reads, SqlParseError):
                found.append(
                    violation("user_sql", source, f"its {what} does not parse as {dialect}: {reads}")
                )
                continue
            found += [
                violation("user_sql", source, _refusal(what, construct, dialect))
                for construct in reads.refused
            ]
            # A denominator's filter runs on the denominator's source (an undeclared one is metric_sources').
            governed = relations.get(elsewhere[what]) if what in elsewhere else source.model.relation
            for problem in _foreign_tables(what, reads.tables, governed) if governed is not None else ():
                found.append(violation("user_sql", source, problem))
    return found


def _refusal(what: str, construct: str, dialect: str) -> str:
    """A construct through which SQL could read what the proof cannot name (docs/rules.md#user_sql)."""
    return (
        f"its {what} uses {construct}; the SQL proof ({dialect}) accepts only relations it can name "
        "and functions that read none"
    )


def _index(relations: Iterable[Relation]) -> dict[str, list[Relation]]:
    by_name: dict[str, list[Relation]] = defaultdict(list)
    for relation in relations:
        by_name[relation.ref.key()[2]].append(relation)
    return by_name


def check_lineage(project: Project, sql: SqlAnswers) -> list[Violation]:
    """Compiled SQL of a source that reads a relation dbt does not manage, or one it does not ref()."""
    if not project.sources:
        return []
    dialect = dialect_for(project.manifest.adapter_type)
    managed = _index(project.manifest.relations.values())
    # A source whose build failed has no compiled SQL either; build_status names it already.
    results = project.invocation_results
    failed = (
        {uid for uid, result in results.nodes.items() if result.status in NOT_BUILT} if results else set()
    )
    uncompiled = [
        source
        for source in project.sources
        if source.model.compiled_code is None and source.model.unique_id not in failed
    ]
    found = (
        [Violation("", "lineage", _uncompiled_message(project, len(uncompiled)), "warning")]
        if uncompiled
        else []
    )
    for source in project.sources:
        if source.model.compiled_code is not None:
            found += _lineage(source, sql[(source.model.unique_id, COMPILED)], dialect, managed)
    return found


def _uncompiled_message(project: Project, count: int) -> str:
    """Names the command that left sources uncompiled when its run results say; the manifest does not."""
    results = project.invocation_results
    writer = (
        f"`{results.command}`, which wrote it,"
        if results is not None
        else "the dbt command that wrote it (`dbt parse`, `dbt ls`, or a run that did not select them)"
    )
    return (
        f"{count} metric source(s) have no compiled SQL in the manifest: {writer} did not compile them; "
        "run `dbt compile` so validate can prove what they read"
    )


def _lineage(
    source: MetricSource, reads: SqlResult, dialect: str, managed: dict[str, list[Relation]]
) -> list[Violation]:
    if isinstance(reads, SqlParseError):
        return [violation("lineage", source, f"its compiled SQL does not parse as {dialect}: {reads}")]
    allowed = set(source.model.depends_on) | {source.model.unique_id}
    found = [
        violation("lineage", source, _refusal(COMPILED, construct, dialect)) for construct in reads.refused
    ]
    for table in sorted(reads.tables, key=str):
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
