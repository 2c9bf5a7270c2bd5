"""SQL reading: which relations a statement reads, found with sqlglot's scope walk (never regexes)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import NoReturn

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.tokenizer_core import TokenType

from statsig_sources.artifacts.relations import TableRef
from statsig_sources.sql import functions as sql_functions
from statsig_sources.sql.answers import SqlReads, SqlResult

# What is known of each dialect without loading sqlglot lives in dialects.py; offered here as well.
from statsig_sources.sql.dialects import DIALECTS as DIALECTS
from statsig_sources.sql.dialects import dialect_for as dialect_for
from statsig_sources.sql.dialects import quote_identifier as quote_identifier
from statsig_sources.support.errors import SqlParseError

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


def _reads(tree: exp.Expr, dialect: str) -> SqlReads:
    """Every relation named anywhere in `tree` except references to its CTEs (a table outside every
    scope, as an argument of a table function, still counts: nothing is dropped), and everything the
    proof refuses, in one walk."""
    named: list[exp.Table] = []
    refused: set[str] = set()
    described: set[int] = set()  # a function already named by its table place or its qualifier
    for node in tree.walk():
        if not _needs_a_look(type(node)):
            continue
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            named.append(node)
        elif id(node) not in described:
            refusal = _refusal(node, dialect, described)
            if refusal is not None:
                refused.add(refusal)
    to_ctes = _cte_references(tree)
    tables = frozenset(
        TableRef(table.catalog or None, table.db or None, table.name)
        for table in named
        if id(table) not in to_ctes
    )
    return SqlReads(tables, tuple(sorted(refused)))


def _cte_references(tree: exp.Expr) -> set[int]:
    """The tables in `tree` that name one of its CTEs (or a derived table), found by the scope walk."""
    return {
        id(table)
        for scope in traverse_scope(tree)
        for table in scope.tables
        if isinstance(scope.sources.get(table.alias_or_name), Scope)
    }


def query_reads(sql: str, dialect: str) -> SqlReads:
    """What the query `sql` reads: its relations (CTE names are not relations) and what it uses that
    the proof refuses."""
    return _reads(parse_query(substitute_statsig_macros(sql), dialect), dialect)


def expression_reads(sql: str, dialect: str) -> SqlReads:
    """What a SQL expression (a filter, a formula) reads, through subqueries.

    The expression is parsed on its own, so positions in errors are positions in `sql`, and then
    placed in a `select` so the scope walk sees its subqueries.
    """
    with _parse_errors(sql, dialect):
        condition = sqlglot.parse_one(
            substitute_statsig_macros(sql), read=dialect, into=exp.Condition, error_level=ErrorLevel.RAISE
        )
    return _reads(exp.select(condition), dialect)


def tables_read(sql: str, dialect: str) -> frozenset[TableRef]:
    """Every relation the query `sql` reads."""
    return query_reads(sql, dialect).tables


def tables_read_by_expression(sql: str, dialect: str) -> frozenset[TableRef]:
    """Every relation a SQL expression reads, through subqueries."""
    return expression_reads(sql, dialect).tables


# The proof denies by default (sql_functions.py says what it accepts, and why).
_TABLE_PLACES = (exp.Table, exp.TableFromRows, exp.Lateral)
_TABLE_FUNCTIONS = tuple(getattr(exp, name) for name in sql_functions.TABLE_FUNCTIONS)
_REFUSED = {getattr(exp, name): why for name, why in sql_functions.REFUSED_FUNCTIONS.items()}
# Tokens that start a statement that reads or changes data: a string a function is given that starts
# with one (after any opening parentheses) and goes on is SQL held in a string.
_STATEMENT_STARTS = frozenset(
    getattr(TokenType, name)
    for name in (
        "SELECT", "WITH", "VALUES", "FROM", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE",
        "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "COPY", "PUT", "ATTACH", "DETACH", "INSTALL",
        "LOAD", "EXPORT", "PRAGMA", "SUMMARIZE", "PIVOT", "UNPIVOT", "EXECUTE", "COMMAND",
    )
    if hasattr(TokenType, name)
)  # fmt: skip


_LOOKS: dict[type, bool] = {}


def _needs_a_look(kind: type) -> bool:
    """Whether a node of this class can be a relation or a refusal: most are neither (columns, casts and
    every other function sqlglot knows and the proof accepts), so a walk skips them at once."""
    look = _LOOKS.get(kind)
    if look is None:
        harmless_function = (
            issubclass(kind, exp.Func)
            and not issubclass(kind, (exp.Anonymous, *_TABLE_PLACES))
            and not issubclass(kind, tuple(_REFUSED))
        )
        places = (*_TABLE_PLACES, exp.Dot, exp.Literal, exp.Func)
        look = _LOOKS[kind] = issubclass(kind, places) and not harmless_function
    return look


def _refusal(node: exp.Expr, dialect: str, described: set[int]) -> str | None:
    """`node`, described, when it is a way SQL could read data the proof cannot name: a table function,
    a function that reads files, stages or other databases, a function the proof does not know, a
    function qualified by a schema, a relation named by a string, SQL in a string."""
    if isinstance(node, _TABLE_PLACES):
        return _table_place(node, dialect, described)
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
        described.add(id(node.expression))
        return _qualified(node, node.expression, dialect)
    if isinstance(node, exp.Func):
        return _function(node, dialect)
    if isinstance(node, exp.Literal) and node.is_string and node.find_ancestor(exp.Func):
        return _string(node.this, dialect)
    return None


def _table_place(node: exp.Expression, dialect: str, described: set[int]) -> str | None:
    """What stands in a table's place, when it is not a relation the proof can name nor a function that
    turns a value into rows."""
    inner = node.this
    if inner is None or isinstance(inner, (exp.Identifier, exp.Subquery, *_TABLE_FUNCTIONS)):
        return None  # a relation, `rows from (...)`, a lateral subquery, or rows from a value
    described.add(id(inner))
    if isinstance(inner, (exp.DynamicIdentifier, exp.Literal)):
        return f"`{_shortened(node.sql(dialect))}`, a relation named by a string"
    if isinstance(inner, exp.Dot) and isinstance(inner.expression, exp.Func):
        described.add(id(inner.expression))
        return f"the table function `{inner.this.sql(dialect)}.{_function_name(inner.expression)}`"
    if isinstance(inner, exp.Func):
        qualifier = f"{node.text('db')}." if isinstance(node, exp.Table) and node.text("db") else ""
        name = qualifier + _function_name(inner)
        return f"the table function `{name if isinstance(inner, exp.Anonymous) else name.lower()}`"
    if isinstance(inner, exp.Var):
        return f"the stage `{inner.name}`"
    return f"`{_shortened(node.sql(dialect))}` in a table's place, which the proof does not understand"


def _qualified(dot: exp.Dot, function: exp.Func, dialect: str) -> str:
    name = f"{dot.this.sql(dialect)}.{_function_name(function)}"
    return f"the function `{name}`, qualified by a schema (a user-defined function may read anything)"


def _function_name(function: exp.Func) -> str:
    return function.name if isinstance(function, exp.Anonymous) else function.sql_name().lower()


def _function(function: exp.Func, dialect: str) -> str | None:
    if isinstance(function, exp.Anonymous):
        if function.name.lower() in sql_functions.HARMLESS_UNKNOWN_FUNCTIONS.get(dialect, {}):
            return None
        return f"the function `{function.name}`, which the proof does not know in {dialect}"
    why = next((why for kind, why in _REFUSED.items() if isinstance(function, kind)), None)
    return f"the function `{_function_name(function)}`, which {why}" if why is not None else None


@lru_cache(maxsize=4096)  # the same literals ('UTC', a date format) recur in every view
def _string(text: str, dialect: str) -> str | None:
    """SQL held in a string that a function is given (to run it, as `query_to_xml` or `dblink` do): the
    string's tokens start a statement and go on. Judged by its tokens, never parsed: a statement the
    parser does not know is still one."""
    try:
        tokens = [token.token_type for token in sqlglot.tokenize(text, read=dialect)]
    except (TokenError, RecursionError):
        return None
    while tokens and tokens[0] == TokenType.L_PAREN:
        tokens.pop(0)
    if len(tokens) < 2 or tokens[0] not in _STATEMENT_STARTS:
        return None
    return f"SQL held in a string ('{_shortened(text)}')"


def _shortened(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
        return query_reads(sql, dialect) if is_query else expression_reads(sql, dialect)
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
