"""The meta.statsig declaration: parsing, collected problems, canonical columns."""

from __future__ import annotations

from typing import Any

import pytest

from statsig_sources.declaration import Declaration, UnitId, canonical_columns, parse_declaration

FULL: dict[str, Any] = {
    "granularity": "daily_fact",
    "unit_ids": {"user_id": "userID", "company_id": {"unit_type": "companyID", "expression": "account_id"}},
    "timestamp": "day",
    "value": "amount",
    "measures": {"item_count": "quantity"},
    "dimensions": ["Country"],
    "sql": None,
    "custom_fields": {},
}


def test_declaration_parses_short_and_long_unit_ids() -> None:
    declaration, problems = parse_declaration(FULL)
    assert problems == []
    assert declaration is not None
    assert declaration.unit_ids == (UnitId("user_id", "userID"), UnitId("company_id", "companyID"))
    assert declaration.timestamp_as_day
    assert (declaration.sql, declaration.custom_fields, declaration.source_type) == (None, (), "query")


@pytest.mark.parametrize(
    ("adapter", "expected"),
    [
        ("postgres", ("user_id", "company_id", "timestamp", "value", "item_count", "country")),
        ("snowflake", ("USER_ID", "COMPANY_ID", "TIMESTAMP", "VALUE", "ITEM_COUNT", "COUNTRY")),
    ],
)
def test_canonical_columns_follow_the_declared_order(adapter: str, expected: tuple[str, ...]) -> None:
    declaration, _ = parse_declaration(FULL)
    assert declaration is not None
    assert canonical_columns(declaration, adapter) == expected


def test_canonical_columns_leave_out_an_undeclared_value() -> None:
    declaration = Declaration("event_log", (UnitId("user_id", "userID"),), "ts")
    assert canonical_columns(declaration, "duckdb") == ("user_id", "timestamp")


def test_every_problem_is_collected_at_once() -> None:
    raw = {
        "granularity": "hourly",
        "unit_ids": {"User-ID": "userID"},
        "timestamp": "",
        "tags": "revenue",
        "extra": 1,
        "source_type": "table",
        "sql": "select 1",
    }
    declaration, problems = parse_declaration(raw)
    assert declaration is None
    assert problems == [
        "meta.statsig has unknown key `extra`",
        "meta.statsig.granularity must be one of event_log, daily_fact, daily_aggregate, not 'hourly'",
        "meta.statsig.tags must be a list of strings",
        "meta.statsig.timestamp must be a non-empty string, not a string",
        "meta.statsig.unit_ids: `User-ID` is not a lower-case SQL identifier [a-z_][a-z0-9_]*",
        "meta.statsig.sql is a query override and cannot be used with source_type table",
    ]


@pytest.mark.parametrize("raw", [None, [], "statsig", 3])
def test_a_declaration_that_is_not_a_mapping_is_one_problem(raw: Any) -> None:
    declaration, problems = parse_declaration(raw)
    assert declaration is None and len(problems) == 1
    assert problems[0].startswith("meta.statsig must be a mapping")


@pytest.mark.parametrize("timestamp_type", ["offset_aware", "naive", "date"])
def test_a_declared_timestamp_type_is_accepted(timestamp_type: str) -> None:
    declaration, problems = parse_declaration({**FULL, "timestamp_type": timestamp_type})
    assert problems == []
    assert declaration is not None and declaration.timestamp_type == timestamp_type


def test_an_unknown_timestamp_type_is_a_problem() -> None:
    declaration, problems = parse_declaration({**FULL, "timestamp_type": "timestamptz"})
    assert declaration is None
    assert problems == [
        "meta.statsig.timestamp_type must be one of offset_aware, naive, date, not 'timestamptz'"
    ]


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ("table", []),
        (
            "ephemeral",
            ["meta.statsig.materialized must be one of view, table, incremental, not 'ephemeral'"],
        ),
    ],
)
def test_materialized_opts_in_to_one_of_the_package_materializations(value: str, problems: list[str]) -> None:
    declaration, found = parse_declaration({**FULL, "materialized": value})
    assert found == problems
    assert (declaration.materialized if declaration else None) == (value if not problems else None)
