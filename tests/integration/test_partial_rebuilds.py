"""Partial rebuilds on the shop project (tests/fixtures/postgres_shop_project: marts are tables, the
metric sources views over them), with real dbt runs.

Case 2: PostgreSQL replaces a table with `drop ... cascade`, so `dbt build --select customers` dropped
statsig_staging.statsig_customers and the run ended green. Now the package's on-run-end check fails the
run, naming the view and the build that restores it, and `reload` learns from run_results.json which
views are missing: it never asks for a load that reads one. The same happens when a source's own build
failed, or a source was renamed, in a run that replaced its upstream. On DuckDB, which keeps the views,
the check finds nothing and fails nothing.

Case 4: `reload` walked upstream through tables the run had not rebuilt, so `dbt build --select
stg_payments` (a staging view) reloaded every source. The walk now stops at anything that stores data
and was not rebuilt.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dbt.cli.main import dbtRunnerResult
from dbt_harness import DbtProject, copy_consumer_project
from postgres_support import SHOP_PROJECT, admin_connection, scratch_database, shop_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, make_metric

pytestmark = pytest.mark.dbt

CHECK = "operation.statsig_sources.statsig_sources-on-run-end-1"
KEY = "console-TESTKEY0123456789"
DUCKDB_PROFILE = """shop:
  target: dev
  outputs:
    dev: &duckdb
      type: duckdb
      path: "{{ env_var('SHOP_DUCKDB') }}"
      schema: dbt_dev
    prod:
      <<: *duckdb
      schema: analytics
"""
METRICS = [
    make_metric("Customer Value", "customers", aggregation="sum", valueColumn="lifetime_value"),
    make_metric("Order Amount", "orders", aggregation="sum", valueColumn="value"),
    make_metric("Payment Amount", "payments", aggregation="sum", valueColumn="value"),
]
EXPERIMENTS = [
    {
        "id": "checkout_redesign",
        "primaryMetrics": [{"name": "Customer Value", "type": "user_warehouse"}],
        "secondaryMetrics": [{"name": "Order Amount", "type": "user_warehouse"}],
    },
    {"id": "payment_methods", "primaryMetrics": [{"name": "Payment Amount", "type": "user_warehouse"}]},
]


@pytest.fixture(scope="module")
def statsig() -> Iterator[FakeStatsig]:
    with FakeStatsig() as fake:
        fake.seed_metrics(METRICS)
        fake.seed_experiments(EXPERIMENTS)
        yield fake


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with scratch_database(f"statsig_sources_partial_rebuilds_{os.getpid()}") as name:
        yield name


@pytest.fixture(scope="module")
def postgres_shop(database: str, repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    return shop_project(database, tmp_path_factory.mktemp("shop"), repo_root)


@pytest.fixture(scope="module")
def duckdb_shop(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The same project on DuckDB: only its profile differs."""
    workdir = tmp_path_factory.mktemp("shop-duckdb")
    project_dir = copy_consumer_project(SHOP_PROJECT, workdir / "project", repo_root)
    (project_dir / "profiles.yml").write_text(DUCKDB_PROFILE, encoding="utf-8")
    project = DbtProject(project_dir, {"SHOP_DUCKDB": str(workdir / "shop.duckdb")})
    assert project.invoke("deps").success
    return project


def build(shop: DbtProject, *args: str) -> dbtRunnerResult:
    return shop.invoke("build", "--target", "prod", *args)


def green(shop: DbtProject, *args: str) -> dict[str, str]:
    """A run that must pass; each result's status by unique id."""
    result = build(shop, *args)
    statuses = {item.node.unique_id: str(item.status) for item in result.result.results}
    assert result.success, [str(item.message) for item in result.result.results if item.status == "error"]
    return statuses


def recorded_check(shop: DbtProject) -> dict[str, Any]:
    """The check hook's result as run_results.json records it (what `reload` reads)."""
    document = json.loads((shop.project_dir / "target" / "run_results.json").read_text(encoding="utf-8"))
    [check] = [item for item in document["results"] if item["unique_id"] == CHECK]
    return {"status": check["status"], "message": check["message"]}


def governed_views(database: str) -> list[str]:
    with admin_connection(database) as admin:
        query = "select table_name from information_schema.views where table_schema = 'statsig_staging'"
        rows = admin.execute(query + " order by 1").fetchall()
    return [row[0] for row in rows]


def reload_dry_run(shop: DbtProject, fake: FakeStatsig) -> dict[str, Any]:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = ["reload", "--project-dir", str(shop.project_dir), "--dry-run", "--format", "json"]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def sources(report: dict[str, Any]) -> list[tuple[str, str, list[str] | None]]:
    return [(s["name"], s["status"], s.get("upstream") or s.get("relation")) for s in report["sources"]]


def requests(report: dict[str, Any]) -> dict[str, tuple[str, str, list[str]]]:
    return {e["id"]: (e["outcome"], e["refresh"], e["requested_metric_ids"]) for e in report["experiments"]}


# ----------------------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_a_partial_rebuild_that_drops_a_governed_view_fails_naming_it_and_the_build_that_restores_it(
    postgres_shop: DbtProject, database: str, statsig: FakeStatsig
) -> None:
    green(postgres_shop)
    assert governed_views(database) == ["statsig_customers", "statsig_orders", "statsig_payments"]
    result = build(postgres_shop, "--select", "customers")
    assert not result.success
    assert governed_views(database) == ["statsig_orders", "statsig_payments"]  # the cascade, reproduced
    check = recorded_check(postgres_shop)
    assert check["status"] == "error"
    assert (
        "statsig_sources: this run left 1 governed relation(s) missing that existed when it started, and "
        "Statsig cannot read them until they are rebuilt:\n"
        "  - statsig_staging.statsig_customers: dropped with customers, which the run replaced (postgres "
        "drops the views over a relation it replaces)\n"
        "Rebuild them: dbt build --select customers+ --target prod\n"
    ) in check["message"]
    # The model itself succeeded: only the hook fails the run.
    [customers] = [item for item in result.result.results if item.node.name == "customers"]
    assert str(customers.status) == "success"

    report = reload_dry_run(postgres_shop, statsig)
    assert sources(report) == [("customers", "missing", "statsig_staging.statsig_customers")]
    assert report["sources"][0]["restore"] == "dbt build --select customers+ --target prod"
    assert requests(report) == {}  # checkout_redesign's other metric reads orders, which did not change
    assert [e["message"] for e in report["experiments"]] == []

    green(postgres_shop, "--select", "customers+")
    assert governed_views(database) == ["statsig_customers", "statsig_orders", "statsig_payments"]
    assert recorded_check(postgres_shop) == {
        "status": "success",
        "message": "statsig_sources.on-run-end.1 passed",
    }


@pytest.mark.postgres
def test_reload_loads_only_the_present_source_s_metrics_of_an_experiment_that_also_reads_a_missing_one(
    postgres_shop: DbtProject, statsig: FakeStatsig
) -> None:
    """A full refresh of orders (and its view) and customers (not its view): checkout_redesign reads
    both; it is loaded by metric, for Order Amount only, never in full."""
    green(postgres_shop)
    result = build(postgres_shop, "--full-refresh", "--select", "orders", "statsig_orders", "customers")
    assert not result.success
    assert (
        "statsig_staging.statsig_customers: dropped with customers"
        in recorded_check(postgres_shop)["message"]
    )
    report = reload_dry_run(postgres_shop, statsig)
    assert report["refresh"]["mode"] == "full"
    assert sources(report) == [
        ("customers", "missing", "statsig_staging.statsig_customers"),
        ("orders", "built", None),
    ]
    assert requests(report) == {
        "checkout_redesign": ("would_request", "metric", ["Order Amount::user_warehouse"]),
    }
    [experiment] = report["experiments"]
    assert experiment["held_back_metric_ids"] == ["Customer Value::user_warehouse"]
    green(postgres_shop, "--select", "customers+")


@pytest.mark.postgres
def test_a_source_whose_build_failed_after_its_upstream_was_replaced_is_named_with_the_rebuild(
    postgres_shop: DbtProject, database: str
) -> None:
    green(postgres_shop)
    model = postgres_shop.project_dir / "models" / "marts" / "customers.sql"
    original = model.read_text(encoding="utf-8")
    model.write_text(original.replace("0) as number_of_orders", "0) as order_count"), encoding="utf-8")
    try:
        result = build(postgres_shop, "--select", "customers+")
    finally:
        model.write_text(original, encoding="utf-8")
    statuses = {item.node.name: str(item.status) for item in result.result.results}
    assert (statuses["customers"], statuses["statsig_customers"]) == ("success", "error")
    assert "statsig_customers" not in governed_views(database)
    message = recorded_check(postgres_shop)["message"]
    assert (
        "  - statsig_staging.statsig_customers: its build failed in this run, after the run replaced "
        "customers, which dropped it\nRebuild them: dbt build --select customers+ --target prod\n"
    ) in message
    green(postgres_shop, "--select", "customers+")
    assert "statsig_customers" in governed_views(database)


@pytest.mark.postgres
def test_a_renamed_source_s_old_view_dropped_by_the_run_is_named_with_what_to_do(
    postgres_shop: DbtProject, database: str
) -> None:
    """statsig_customers renamed statsig_customer_days: the run that replaces customers drops the old
    view, which Statsig still reads until the source is registered again."""
    green(postgres_shop)
    folder = postgres_shop.project_dir / "models" / "statsig"
    properties = folder / "_statsig.yml"
    original = properties.read_text(encoding="utf-8")
    (folder / "statsig_customers.sql").rename(folder / "statsig_customer_days.sql")
    properties.write_text(original.replace("name: statsig_customers", "name: statsig_customer_days"))
    try:
        result = build(postgres_shop, "--select", "customers+")
    finally:
        (folder / "statsig_customer_days.sql").rename(folder / "statsig_customers.sql")
        properties.write_text(original, encoding="utf-8")
    assert not result.success
    assert "statsig_customers" not in governed_views(database)
    message = recorded_check(postgres_shop)["message"]
    assert (
        "  - statsig_staging.statsig_customers: no model of this project builds it any more (renamed or "
        "removed)\nA relation no model builds any more was the view of a source that was renamed or "
        "removed: if Statsig still reads it, register the source's new view (statsig-sources apply)."
    ) in message
    assert "Rebuild them" not in message
    # Renamed back: the renamed view is a leftover now, dropped by hand (or the next replace of
    # customers would drop it, and the check name it in turn).
    with admin_connection(database) as admin:
        admin.execute("drop view statsig_staging.statsig_customer_days")
    green(postgres_shop, "--select", "customers+")


@pytest.mark.postgres
def test_a_seed_full_refresh_checks_too_and_passes_when_no_governed_view_went(
    postgres_shop: DbtProject, database: str
) -> None:
    """Replacing the seeds drops the staging views over them, none of them governed."""
    green(postgres_shop)
    result = postgres_shop.invoke("seed", "--target", "prod", "--full-refresh")
    assert result.success
    assert recorded_check(postgres_shop) == {
        "status": "success",
        "message": "statsig_sources.on-run-end.1 passed",
    }
    assert governed_views(database) == ["statsig_customers", "statsig_orders", "statsig_payments"]
    green(postgres_shop)


# ----------------------------------------------------------------------------------------------- DuckDB


def test_on_duckdb_the_views_survive_a_partial_rebuild_and_the_check_fails_nothing(
    duckdb_shop: DbtProject,
) -> None:
    green(duckdb_shop)
    statuses = green(duckdb_shop, "--select", "customers")
    assert statuses == {
        "operation.statsig_sources.statsig_sources-on-run-start-0": "success",
        "model.shop.customers": "success",
        "operation.statsig_sources.statsig_sources-on-run-end-0": "success",
        CHECK: "success",
    }
    assert recorded_check(duckdb_shop)["message"] == "statsig_sources.on-run-end.1 passed"


def test_reload_stops_at_tables_the_run_did_not_rebuild(
    duckdb_shop: DbtProject, statsig: FakeStatsig
) -> None:
    """A staging view rebuilt changes no source: every mart reading it is a table that was not rebuilt.
    Rebuilding the orders table changes the orders source only (customers and fct_payments, tables
    over orders, keep their rows), and says which relation fed it."""
    green(duckdb_shop)
    green(duckdb_shop, "--select", "stg_payments")
    report = reload_dry_run(duckdb_shop, statsig)
    assert (sources(report), requests(report)) == ([], {})
    green(duckdb_shop, "--select", "orders")
    report = reload_dry_run(duckdb_shop, statsig)
    assert sources(report) == [("orders", "upstream", ["model.shop.orders"])]
    assert requests(report) == {
        "checkout_redesign": ("would_request", "metric", ["Order Amount::user_warehouse"]),
    }
