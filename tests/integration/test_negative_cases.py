"""Deliberately bad metric sources (tests/fixtures/consumer_project/models/negative/): each fails the
intended package test and never builds a silently wrong view. Bad declarations, refused at compile
time, are the shared case table's (test_declaration_contract_in_dbt.py)."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

pytestmark = pytest.mark.dbt


def _failing_test(negative_build: dict[str, Any], test: str, model: str) -> Any:
    [name] = [key for key in negative_build if key.startswith(f"statsig_sources_{test}_{model}")]
    return negative_build[name]


@pytest.mark.parametrize(
    ("test", "model", "failures"),
    [
        ("statsig_timestamp_not_in_future", "bad_future_timestamp", 4),
        ("statsig_keys_not_null", "bad_null_keys", 2),  # e2 has no user id, e4 no timestamp
        ("statsig_one_row_per_unit_day", "bad_duplicate_unit_day", 1),
        ("statsig_canonical_columns", "bad_wrong_types", 2),
    ],
)
def test_package_test_fails_on_bad_data(
    negative_build: dict[str, Any], test: str, model: str, failures: int
) -> None:
    outcome = _failing_test(negative_build, test, model)
    assert str(outcome.status) == "fail"
    assert outcome.failures == failures


def _stored_failures(negative_build: dict[str, Any], test: str, model: str) -> list[tuple[Any, ...]]:
    outcome = _failing_test(negative_build, test, model)
    relation = outcome.node.relation_name
    with duckdb.connect(str(negative_build["__database__"])) as db:
        return sorted(db.sql(f"select * from {relation}").fetchall())


def test_canonical_columns_names_each_wrong_type_and_extra_column(negative_build: dict[str, Any]) -> None:
    assert _stored_failures(negative_build, "statsig_canonical_columns", "bad_wrong_types") == [
        ("column value is FLOAT, expected a double",),
        ("undeclared column country",),
    ]


def test_one_row_per_unit_day_names_the_unit_and_day(negative_build: dict[str, Any]) -> None:
    rows = _stored_failures(negative_build, "statsig_one_row_per_unit_day", "bad_duplicate_unit_day")
    assert [(column, unit, str(day), count) for column, unit, day, count in rows] == [
        ("user_id", "u1", "2026-02-01 00:00:00", 2)
    ]
