"""Every piece of SQL in a project, read once for the SQL rules: the same text is parsed once, and not
at all when an earlier run's answer for it is remembered (answers.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from statsig_sources.artifacts.manifest import SourceModel
from statsig_sources.declaration.metrics import Criterion
from statsig_sources.declaration.source import Declaration
from statsig_sources.sql.answers import SqlResult, load_answers, save_answers, sql_digest
from statsig_sources.sql.dialects import dialect_for

# A source's model and its usable declaration (None when it has none).
Declared = tuple[SourceModel, Declaration | None]
# (node id, what) -> what the SQL there reads, or why it does not parse: every piece of SQL in a project.
SqlAnswers = Mapping[tuple[str, str], SqlResult]

COMPILED = "compiled SQL"

Job = tuple[str, bool]  # (sql, is_query)


def user_sql(declaration: Declaration | None) -> Iterable[tuple[str, str, bool]]:
    """(what, sql, is_query) for every piece of SQL the user wrote into the declaration.

    Filters and formulas are expressions over the governed relation's columns: any relation they
    read (through a subquery) is reported.
    """
    if declaration is None:
        return
    if declaration.sql:
        yield "sql override", declaration.sql, True
    if declaration.filter:
        yield "filter", declaration.filter, False
    for key, formula in declaration.custom_fields:
        yield f"custom field `{key}`", formula, False
    for what, sql, _reads in metric_sql(declaration):
        yield what, sql, False


def metric_sql(declaration: Declaration | None) -> Iterable[tuple[str, str, str | None]]:
    """(what, sql, source name) for every `sql_filter` criterion of the source's metrics: the name of the
    source whose governed relation the SQL runs on, or None for this one (a ratio's denominator criteria
    run on the denominator's source)."""
    for metric in declaration.metrics if declaration is not None else ():
        parts: list[tuple[str, tuple[Criterion, ...], str | None]] = [("", metric.criteria, None)]
        if metric.denominator is not None:
            parts.append(("denominator ", metric.denominator.criteria, metric.denominator.source))
        for part, criteria, reads in parts:
            for number, criterion in enumerate(criteria, start=1):
                if criterion.sql is not None:
                    yield f"metric `{metric.name}` {part}criterion #{number} sql", criterion.sql, reads


def project_sql(sources: Iterable[Declared]) -> dict[tuple[str, str], Job]:
    """(node id, what) -> the SQL there and whether it is a query, for every piece of SQL in the project."""
    jobs: dict[tuple[str, str], Job] = {}
    for model, declaration in sources:
        if model.compiled_code is not None:
            jobs[(model.unique_id, COMPILED)] = (model.compiled_code, True)
        for what, sql, is_query in user_sql(declaration):
            jobs[(model.unique_id, what)] = (sql, is_query)
    return jobs


def read_project_sql(sources: Iterable[Declared], adapter: str, remembered_at: Path | None) -> SqlAnswers:
    """(node id, what) -> the relations that SQL reads, or why it does not parse. Answers are remembered
    in the file at `remembered_at` between runs (None: nowhere)."""
    jobs = project_sql(sources)
    if not jobs:
        return {}
    answers = read_jobs(set(jobs.values()), dialect_for(adapter), remembered_at)
    return {where: answers[job] for where, job in jobs.items()}


def read_jobs(jobs: set[Job], dialect: str, path: Path | None) -> dict[Job, SqlResult]:
    """The answer for each distinct job: remembered when the file at `path` holds it, else parsed (and
    then remembered, with the answers of every other job of this run and no others)."""
    remembered = load_answers(path, dialect) if path is not None else {}
    digests = {job: sql_digest(*job) for job in jobs}
    answers: dict[Job, SqlResult] = {}
    for job, digest in digests.items():
        if digest is not None and digest in remembered:
            answers[job] = remembered[digest]
    missing = sorted(jobs - answers.keys())
    if missing:
        from statsig_sources.sql.parse import read_many  # loads sqlglot only when something is parsed

        answers.update(zip(missing, read_many(missing, dialect), strict=True))
    current = {digest: answers[job] for job, digest in digests.items() if digest is not None}
    if path is not None and current.keys() != remembered.keys():
        save_answers(path, dialect, current)
    return answers
