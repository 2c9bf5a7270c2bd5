"""SQL reading: which relations a statement reads, found with sqlglot's scope walk (never regexes)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.optimizer.scope import traverse_scope
from sqlglot.tokenizer_core import TokenType

# What is known of each dialect without loading sqlglot lives in dialects.py; offered here as well.
from statsig_sources.core.dialects import DIALECTS as DIALECTS
from statsig_sources.core.dialects import dialect_for as dialect_for
from statsig_sources.core.dialects import quote_identifier as quote_identifier
from statsig_sources.core.errors import SqlParseError
from statsig_sources.core.relations import TableRef
from statsig_sources.core.sql_results import SqlResult

# Statsig's date macros (`{statsig_start_date}`, `{statsig_end_date}`, ...) are substituted before
# parsing. `1970-01-01` parses both bare (as arithmetic) and inside quotes (as a string), so a macro
# is replaced by something valid wherever a date may stand. This is template substitution, not SQL
# parsing: the SQL itself is only ever read by sqlglot.
_STATSIG_MACRO = re.compile(r"\{statsig_[a-z_]+\}")


def substitute_statsig_macros(sql: str) -> str:
    return _STATSIG_MACRO.sub("1970-01-01", sql)


def _raise_parse_error(error: ParseError) -> NoReturn:
    first = error.errors[0] if error.errors else {}
    if "line" in first and "col" in first:
        raise SqlParseError(
            f"line {first['line']}, column {first['col']}: {first.get('description', error)}"
        ) from None
    raise SqlParseError(str(error)) from None


@contextmanager
def _parse_errors(sql: str, dialect: str) -> Iterator[None]:
    """sqlglot's failures as one `SqlParseError`: with line and column, or saying it nests too deeply."""
    try:
        yield
    except ParseError as error:
        _raise_parse_error(error)
    except TokenError as error:
        raise SqlParseError(f"cannot tokenize: {error}") from None
    except RecursionError:
        raise SqlParseError(_too_deep(sql, dialect)) from None


def parse_query(sql: str, dialect: str) -> exp.Query:
    """Parse one query statement, raising `SqlParseError` with line and column on failure."""
    with _parse_errors(sql, dialect):
        statements = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
    queries = [statement for statement in statements if statement is not None]
    if len(queries) != 1 or not isinstance(queries[0], exp.Query):
        raise SqlParseError("expected exactly one select statement")
    return queries[0]


def _tables(query: exp.Query) -> frozenset[TableRef]:
    found: set[TableRef] = set()
    for scope in traverse_scope(query):
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
                found.add(TableRef(source.catalog or None, source.db or None, source.name))
    return frozenset(found)


def tables_read(sql: str, dialect: str) -> frozenset[TableRef]:
    """Every relation the query `sql` reads. CTE names and table functions are not relations."""
    return _tables(parse_query(substitute_statsig_macros(sql), dialect))


def tables_read_by_expression(sql: str, dialect: str) -> frozenset[TableRef]:
    """Every relation a SQL expression (a filter, a formula) reads, through subqueries.

    The expression is parsed on its own, so positions in errors are positions in `sql`, and then
    placed in a `select` so the scope walk sees its subqueries.
    """
    with _parse_errors(sql, dialect):
        condition = sqlglot.parse_one(
            substitute_statsig_macros(sql), read=dialect, into=exp.Condition, error_level=ErrorLevel.RAISE
        )
    return _tables(exp.select(condition))


def output_columns(sql: str, dialect: str) -> dict[str, str | None] | None:
    """A query's output columns, lower-cased, each with the type it is explicitly cast to (else None);
    None when they cannot be known (`select *`, or SQL that does not parse in `dialect`)."""
    try:
        query = parse_query(substitute_statsig_macros(sql), dialect)
        return _output_columns(query, dialect)
    except (SqlParseError, RecursionError):
        return None


def _output_columns(query: exp.Query, dialect: str) -> dict[str, str | None] | None:
    columns: dict[str, str | None] = {}
    for projection in query.selects:
        inner = projection.unalias()
        if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and inner.is_star):
            return None
        kind = inner.to.sql(dialect=dialect) if isinstance(inner, exp.Cast) else None
        columns[projection.alias_or_name.lower()] = kind
    return columns


def _read(job: tuple[str, bool], dialect: str) -> SqlResult:
    sql, is_query = job
    try:
        return tables_read(sql, dialect) if is_query else tables_read_by_expression(sql, dialect)
    except SqlParseError as error:
        return error
    except RecursionError:
        return SqlParseError(_too_deep(sql, dialect))


def _too_deep(sql: str, dialect: str) -> str:
    """What to say about SQL that nests deeper than the parser's recursion allows."""
    depth = deepest = 0
    try:
        for token in sqlglot.tokenize(sql, read=dialect):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
            deepest = max(deepest, depth)
    except TokenError:
        pass
    nesting = f" ({deepest:,} levels of parentheses)" if deepest else ""
    return f"it nests too deeply for the SQL parser{nesting}"


def read_many(jobs: Sequence[tuple[str, bool]], dialect: str) -> list[SqlResult]:
    """The relations each `(sql, is_query)` job reads, or its `SqlParseError`, in order."""
    return [_read(job, dialect) for job in jobs]
