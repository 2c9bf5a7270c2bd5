"""A plan's impact on live metrics: updated sources name the metrics they feed, and an update that
removes or retypes a column a metric reads is blocked unless forced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import MARKER, source
from test_register_cli import PROJECT_MARKER, desired, invoke
from usage_support import criterion, metric

from statsig_sources.registration.impact import broken_columns, guard_plan, source_columns
from statsig_sources.registration.plan import Action, build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.registration.report import render_json, render_markdown, render_text
from statsig_sources.sql.parse import DIALECTS, dialect_for, quote_identifier
from statsig_sources.standin import FakeStatsig


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"sql": "select user_id, ts, amount from t"}, {"user_id": None, "ts": None, "amount": None}),
        (
            {"sql": 'select "USER_ID", cast(v as double) as value from t'},
            {"user_id": None, "value": "DOUBLE"},
        ),
        ({"sql": "select a as b from t where ts > '{statsig_start_date}'"}, {"b": None}),
        (
            {"sql": "select a from t", "customFieldMapping": [{"key": "k", "formula": "a + 1"}]},
            {"a": None, "k": None},
        ),
        ({"sql": "select * from t"}, None),
        ({"sql": "select t.* from t"}, None),
        ({"sql": "select from where"}, None),
        ({"sql": "", "sourceType": "table", "tableName": "db.s.t"}, None),
    ],
    ids=[
        "plain",
        "quoted-and-cast",
        "statsig-macro",
        "custom-field",
        "star",
        "qualified-star",
        "bad-sql",
        "table",
    ],
)
def test_source_columns_are_the_sql_output_columns_or_unknown(
    payload: dict[str, Any], expected: dict[str, str | None] | None
) -> None:
    assert source_columns(payload, "duckdb") == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ({"a": None, "b": None}, {"a": None}, {"b": "removed"}),
        ({"a": "DOUBLE"}, {"a": "VARCHAR"}, {"a": "retyped DOUBLE -> VARCHAR"}),
        ({"a": "DOUBLE"}, {"a": None}, {}),
        ({"a": None}, {"a": None, "b": None}, {}),
        (None, {"a": None}, {}),
    ],
    ids=["removed", "retyped", "type-unknown-after", "added", "unknown-before"],
)
def test_broken_columns(before: Any, after: Any, expected: dict[str, str]) -> None:
    assert broken_columns(before, after) == expected


def none() -> list[dict[str, Any]]:
    """No experiment is running."""
    return []


WIDE = "select user_id, ts, amount from statsig_staging.orders"
NARROW = "select user_id, ts from statsig_staging.orders"
METRICS = [
    metric("Revenue", "sum", metricSourceName="orders", valueColumn="amount"),
    metric("Orders", "count", metricSourceName="orders", criteria=[criterion("user_id")]),
    metric("Elsewhere", "count", metricSourceName="sessions", valueColumn="amount"),
]


def _plan(sql: str) -> Any:
    remote = {**managed_payload(source("orders", sql=WIDE), MARKER), "isVerified": False}
    return build_plan([source("orders", sql=sql)], [remote], MARKER, set())


@pytest.mark.parametrize(
    ("sql", "force", "action", "reason"),
    [
        (
            NARROW,
            False,
            Action.BLOCKED,
            "would break live metrics: Revenue uses amount (removed); pass --force to apply anyway",
        ),
        (NARROW, True, Action.UPDATE, "forced: Revenue uses amount (removed)"),
        ("select user_id, ts, amount, extra from statsig_staging.orders", False, Action.UPDATE, ""),
    ],
    ids=["removal-blocked", "removal-forced", "addition-allowed"],
)
def test_update_names_affected_metrics_and_blocks_breaking_ones(
    sql: str, force: bool, action: Action, reason: str
) -> None:
    [item] = guard_plan(
        _plan(sql), lambda: METRICS, adapter_type="duckdb", fetch_experiments=none, force=force
    ).items
    assert (item.action, item.reason, item.affected_metrics) == (action, reason, ("Orders", "Revenue"))


def _quoted_sql(columns: list[str], adapter: str) -> str:
    """A source's SQL as `render` writes it on `adapter`: identifiers quoted in its dialect."""
    dialect = dialect_for(adapter)
    names = ",\n".join(f"  {quote_identifier(name, dialect)}" for name in columns)
    return f"select\n{names}\nfrom statsig_staging.orders\n"


@pytest.mark.parametrize("adapter", sorted(DIALECTS))
def test_the_guard_reads_each_warehouse_s_quoting_and_blocks_a_removed_column(adapter: str) -> None:
    wide = _quoted_sql(["user_id", "timestamp", "value"], adapter)
    narrow = _quoted_sql(["user_id", "timestamp"], adapter)
    remote = {**managed_payload(source("orders", sql=wide), MARKER), "isVerified": False}
    plan = build_plan([source("orders", sql=narrow)], [remote], MARKER, set())
    live = [metric("Revenue", "sum", metricSourceName="orders", valueColumn="value")]
    [item] = guard_plan(plan, lambda: live, adapter_type=adapter, fetch_experiments=none).items
    assert (item.action, item.reason) == (
        Action.BLOCKED,
        "would break live metrics: Revenue uses value (removed); pass --force to apply anyway",
    )


def test_plan_without_updates_reads_no_metrics() -> None:
    def fail() -> list[dict[str, Any]]:
        raise AssertionError("metrics were read")

    plan = build_plan([source("orders")], [], MARKER, set())
    assert guard_plan(plan, fail, adapter_type="duckdb", fetch_experiments=fail) is plan


def test_blocked_update_renders_reason_and_affected_metrics() -> None:
    plan = guard_plan(_plan(NARROW), lambda: METRICS, adapter_type="duckdb", fetch_experiments=none)
    assert render_text(plan).splitlines()[1:] == [
        "! blocked orders",
        "    --- sql (Statsig)",
        "    +++ sql (dbt)",
        "    @@ -1 +1 @@",
        "    -select user_id, ts, amount from statsig_staging.orders",
        "    +select user_id, ts from statsig_staging.orders",
        "    would break live metrics: Revenue uses amount (removed); pass --force to apply anyway",
        "    affects metrics: Orders, Revenue",
    ]
    assert json.loads(render_json(plan))["items"][0]["affected_metrics"] == ["Orders", "Revenue"]
    assert "affects metrics: Orders, Revenue" in render_markdown(plan)


# The manifest fixture's source as Statsig holds it today: one column more than dbt now declares.
LIVE_METRICS = [
    metric("Legacy Score", "mean", metricSourceName="statsig_purchases", valueColumn="legacy_score"),
    metric("Purchases", "count", metricSourceName="statsig_purchases", criteria=[criterion("country")]),
]


def _seed(fake: FakeStatsig, project: Path) -> None:
    [wanted] = desired(project)
    wider = wanted["sql"].replace('  "country"\nfrom', '  "country",\n  "legacy_score"\nfrom')
    assert wider != wanted["sql"]
    fake.seed_sources([managed_payload({**wanted, "sql": wider}, PROJECT_MARKER)])
    fake.seed_metrics(LIVE_METRICS)


def test_plan_shows_the_breaking_update_as_blocked(fake: FakeStatsig, project: Path) -> None:
    _seed(fake, project)
    result = invoke(fake, project, "plan")
    assert result.exit_code == 1  # a blocked item fails CI
    assert "! blocked statsig_purchases" in result.stdout
    assert "Legacy Score uses legacy_score (removed)" in result.stdout
    assert "    affects metrics: Legacy Score, Purchases" in result.stdout
    assert fake.count("GET", "/metrics/list") == 1


@pytest.mark.parametrize(("force", "exit_code", "writes"), [(False, 1, 0), (True, 0, 1)])
def test_apply_refuses_a_breaking_update_unless_forced(
    fake: FakeStatsig,
    project: Path,
    force: bool,
    exit_code: int,
    writes: int,
) -> None:
    _seed(fake, project)
    result = invoke(fake, project, "apply", "--yes", *(["--force"] if force else []))
    assert result.exit_code == exit_code, result.output
    assert fake.mutations == writes
    assert ("legacy_score" in fake.sources["statsig_purchases"]["sql"]) is not force
