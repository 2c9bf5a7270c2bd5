"""The meta.statsig declaration: parsing and canonical columns (problems: test_declaration_contract.py)."""

from __future__ import annotations

from typing import Any

import pytest

from statsig_sources.declaration.source import Declaration, UnitId, canonical_columns, parse_declaration

FULL: dict[str, Any] = {
    "granularity": "daily_fact",
    "unit_ids": {"user_id": "userID", "company_id": {"unit_type": "companyID", "expression": "account_id"}},
    "timestamp": "day",
    "value": "amount",
    "measures": {"item_count": "quantity"},
    "dimensions": ["country"],
    "sql": None,
    "custom_fields": {},
}


def test_declaration_parses_short_and_long_unit_ids() -> None:
    declaration, problems = parse_declaration(FULL, model_name="m", custom_unit_types=["companyID"])
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
    declaration, _ = parse_declaration(FULL, model_name="m", custom_unit_types=["companyID"])
    assert declaration is not None
    assert canonical_columns(declaration, adapter) == expected


def test_canonical_columns_leave_out_an_undeclared_value() -> None:
    declaration = Declaration("event_log", (UnitId("user_id", "userID"),), "ts")
    assert canonical_columns(declaration, "duckdb") == ("user_id", "timestamp")


@pytest.mark.parametrize("timestamp_type", ["offset_aware", "naive", "date"])
def test_a_declared_timestamp_type_is_accepted(timestamp_type: str) -> None:
    declaration, problems = parse_declaration(
        {**FULL, "timestamp_type": timestamp_type}, model_name="m", custom_unit_types=["companyID"]
    )
    assert problems == []
    assert declaration is not None and declaration.timestamp_type == timestamp_type
