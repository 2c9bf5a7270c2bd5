"""Metrics declared in dbt through the command line, from a manifest: render's files under
metric_sources/metrics/ and its check, plan's reports, apply against the stand-in, and no request at all
while a declaration is invalid."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import FIXTURES
from project_support import load_project
from support import KEY

from statsig_sources.cli import main
from statsig_sources.declaration.settings import Settings
from statsig_sources.registration.files import HEADER, metric_file_names
from statsig_sources.registration.metrics import MetricPayload, build_metric_payloads
from statsig_sources.standin import FakeStatsig

FIXTURE = "valid/metrics_across_sources.json"
MARKER = "managed-by:statsig-sources:shop"
METRIC_FILES = ["order_revenue.yml", "revenue_per_minute.yml", "sessions_per_user.yml"]


def invoke(project: Path, *args: str, fake: FakeStatsig | None = None) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY} if fake else {}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env, catch_exceptions=False)


@pytest.fixture
def metrics_project(dbt_project: Callable[..., Path]) -> Path:
    return dbt_project(FIXTURE)


def test_render_writes_a_file_per_metric_and_check_covers_them(metrics_project: Path) -> None:
    assert invoke(metrics_project, "render").exit_code == 0
    folder = metrics_project / "metric_sources" / "metrics"
    assert sorted(path.name for path in folder.iterdir()) == METRIC_FILES
    assert invoke(metrics_project, "render", "--check").stdout.endswith(
        "metric_sources/ is up to date (5 files).\n"
    )
    (folder / "order_revenue.yml").write_text(HEADER + "name: Order revenue\n")
    (folder / "sessions_per_user.yml").unlink()
    (folder / "old_metric.yml").write_text(HEADER + "name: Old metric\n")
    (folder / "notes.yml").write_text("# not rendered by statsig-sources\n")
    check = invoke(metrics_project, "render", "--check")
    assert check.exit_code == 1
    assert check.stdout.splitlines()[-4:] == [
        "missing: metric_sources/metrics/sessions_per_user.yml",
        "stale: metric_sources/metrics/order_revenue.yml",
        "orphaned: metric_sources/metrics/old_metric.yml",
        "metric_sources/ is out of date: run `statsig-sources render` and commit the result.",
    ]
    assert invoke(metrics_project, "render").stdout.endswith("2 written, 1 removed, 3 unchanged.\n")
    assert sorted(path.name for path in folder.iterdir()) == sorted([*METRIC_FILES, "notes.yml"])


def payload(name: str) -> MetricPayload:
    return MetricPayload(name, f"{name}::user_warehouse", "model.shop.m", ("s",), {"name": name})


def test_metric_file_names_follow_the_slug_rule_and_never_collide() -> None:
    names = metric_file_names([payload(n) for n in ["Revenue / day", "Revenue: day", "Net % (7d)", "a.b-c"]])

    def sha1(metric_id: str) -> str:  # the rule's suffix: 8 hex digits of the SHA-1 of the metric's id
        return hashlib.sha1(metric_id.encode()).hexdigest()[:8]

    assert names == {
        "Net % (7d)::user_warehouse": "metrics/net_7d.yml",
        "Revenue / day::user_warehouse": f"metrics/revenue_day_{sha1('Revenue / day::user_warehouse')}.yml",
        "Revenue: day::user_warehouse": f"metrics/revenue_day_{sha1('Revenue: day::user_warehouse')}.yml",
        "a.b-c::user_warehouse": "metrics/a_b_c.yml",
    }


def test_plan_reports_metrics_in_json_and_markdown(metrics_project: Path, fake: FakeStatsig) -> None:
    plan = json.loads(invoke(metrics_project, "plan", "--format", "json", fake=fake).stdout)
    assert plan["summary"]["create"] == 2 and plan["metric_summary"]["create"] == 3
    metrics = [(item["kind"], item["name"], item["id"]) for item in plan["items"] if item["kind"] == "metric"]
    assert metrics == [
        ("metric", "Order revenue", "Order revenue::user_warehouse"),
        ("metric", "Revenue per minute", "Revenue per minute::user_warehouse"),
        ("metric", "Sessions per user", "Sessions per user::user_warehouse"),
    ]
    markdown = invoke(metrics_project, "plan", "--format", "markdown", fake=fake).stdout
    assert (
        f"Marker `{MARKER}`: 2 to create, 0 to update, 0 unchanged, 0 orphaned, 0 blocked.\n\n"
        "Metrics: 3 to create, 0 to update, 0 unchanged, 0 orphaned, 0 blocked.\n\n"
    ) in markdown
    assert (
        "| | action | metric | detail |\n|---|---|---|---|\n| + | create | `Order revenue` |  |\n" in markdown
    )


def test_apply_registers_the_metrics_after_their_sources_and_then_has_nothing_to_do(
    metrics_project: Path, fake: FakeStatsig
) -> None:
    applied = invoke(metrics_project, "apply", "--yes", fake=fake)
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.splitlines()[-6:] == [
        "done: create purchases",
        "done: create sessions",
        "done: create metric Order revenue",
        "done: create metric Revenue per minute",
        "done: create metric Sessions per user",
        "Applied: 6 write(s).",
    ]
    stored = fake.metrics["Revenue per minute::user_warehouse"]["warehouseNative"]
    assert (stored["denominatorMetricSourceName"], stored["denominatorValueColumn"]) == (
        "sessions",
        "minutes",
    )
    second = invoke(metrics_project, "plan", "--detailed-exitcode", fake=fake)
    assert second.exit_code == 0
    assert f"Statsig metrics (marker {MARKER}): 0 to create, 0 to update, 3 unchanged" in second.stdout


@pytest.mark.parametrize("command", ["render", "plan", "apply"])
def test_a_metric_reading_a_removed_column_is_refused_before_any_request(
    dbt_project: Callable[..., Path], fake: FakeStatsig, command: str
) -> None:
    project = dbt_project("invalid/metric_columns__source_column_removed.json")
    result = invoke(project, command, fake=fake)
    assert result.exit_code == 1
    assert (
        "error: [metric_columns] model.shop.statsig_purchases (models/statsig/statsig_purchases.sql, "
        "models/statsig/_statsig__models.yml): meta.statsig.metrics[Order revenue].value_column `value` is "
        "not a column of this source (its columns: user_id, stable_id, timestamp, item_count, country)"
    ) in result.stdout
    assert fake.requests == [] and not (project / "metric_sources").exists()


def test_columns_are_named_in_the_warehouses_case_and_custom_fields_as_declared(tmp_path: Path) -> None:
    manifest: dict[str, Any] = json.loads((FIXTURES / FIXTURE).read_text())
    manifest["metadata"]["adapter_type"] = "snowflake"
    statsig = manifest["nodes"]["model.shop.statsig_purchases"]["config"]["meta"]["statsig"]
    statsig["custom_fields"] = {"net_usd": "VALUE - 1"}
    statsig["metrics"][0]["value_column"] = "net_usd"
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    bodies = {
        p.name: p.body["warehouseNative"] for p in build_metric_payloads(load_project(path, Settings()))
    }
    assert bodies["Order revenue"]["valueColumn"] == "net_usd"
    assert bodies["Order revenue"]["criteria"][0]["column"] == "COUNTRY"
    assert bodies["Order revenue"]["metricDimensionColumns"] == ["COUNTRY"]
    assert (
        bodies["Revenue per minute"]["valueColumn"],
        bodies["Revenue per minute"]["denominatorValueColumn"],
    ) == (
        "VALUE",
        "MINUTES",
    )
