"""Which relations SQL reads: sqlglot's scope walk, per dialect."""

from __future__ import annotations

import pytest

from statsig_sources.artifacts.relations import TableRef
from statsig_sources.sql.parse import quote_identifier, tables_read, tables_read_by_expression
from statsig_sources.support.errors import SqlParseError


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        ("select * from a.b.c", "postgres", {TableRef("a", "b", "c")}),
        ('select * from "A"."B"."C"', "postgres", {TableRef("A", "B", "C")}),
        ("with c as (select * from s.t) select * from c", "duckdb", {TableRef(None, "s", "t")}),
        ("select * from read_csv('x.csv') join s.t on true", "duckdb", {TableRef(None, "s", "t")}),
        (
            "select * from s.t where x in (select y from s.u)",
            "snowflake",
            {TableRef(None, "s", "t"), TableRef(None, "s", "u")},
        ),
        (
            "select 1 from s.t union all select 1 from s.u",
            "trino",
            {TableRef(None, "s", "t"), TableRef(None, "s", "u")},
        ),
        ("select * from `p.d.t`", "bigquery", {TableRef("p", "d", "t")}),
        (
            "select * from s.t where ds >= '{statsig_start_date}' and ds < {statsig_end_date}",
            "spark",
            {TableRef(None, "s", "t")},
        ),
        ("select * from unnest(array[1, 2]) as x(v)", "postgres", set()),
    ],
    ids=[
        "qualified",
        "quoted",
        "cte",
        "table-function",
        "subquery",
        "union",
        "bigquery",
        "statsig-macros",
        "unnest",
    ],
)
def test_tables_read_finds_relations_not_ctes_or_functions(
    sql: str, dialect: str, expected: set[TableRef]
) -> None:
    assert tables_read(sql, dialect) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("status <> 'refunded'", set()),
        ("user_id in (select user_id from s.internal)", {TableRef(None, "s", "internal")}),
        ("value * (select rate from fx)", {TableRef(None, None, "fx")}),
    ],
)
def test_expressions_report_relations_of_their_subqueries(sql: str, expected: set[TableRef]) -> None:
    assert tables_read_by_expression(sql, "postgres") == expected


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select a from (select from x", "line 1, column 28: Expecting )"),
        ("select 1;\nselect 2", "expected exactly one select statement"),
        ("drop table s.t", "expected exactly one select statement"),
    ],
)
def test_unparseable_sql_raises_with_position(sql: str, message: str) -> None:
    with pytest.raises(SqlParseError) as raised:
        tables_read(sql, "duckdb")
    assert str(raised.value) == message


def test_expression_with_trailing_query_is_refused() -> None:
    with pytest.raises(SqlParseError):
        tables_read_by_expression("1 from secret --", "postgres")


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("postgres", '"user_id"'),
        ("snowflake", '"USER_ID"'),
        ("bigquery", "`user_id`"),
        ("databricks", "`user_id`"),
    ],
)
def test_identifiers_are_quoted_for_the_dialect(dialect: str, expected: str) -> None:
    name = "USER_ID" if dialect == "snowflake" else "user_id"
    assert quote_identifier(name, dialect) == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (TableRef(None, "S", "t"), TableRef("db", "s", "T"), True),
        (TableRef(None, None, "t"), TableRef("db", "s", "t"), True),
        (TableRef("db", "s", "t"), TableRef("db", "other", "t"), False),
    ],
)
def test_table_refs_match_without_case_and_on_named_parts(
    left: TableRef, right: TableRef, expected: bool
) -> None:
    assert left.matches(right) is expected
