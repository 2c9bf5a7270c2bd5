"""The package on Apache Spark (dbt-spark's `session` method, local mode): the demo and the consumer
fixture build with Spark's canonical types, offset-aware input lands as the right UTC instant, grants
are skipped (Spark has no GRANT) and reported as unenforceable, and the CLI handles Spark's manifest.

Spark starts once per test session; both projects build in that one session, into their own schemas
(the governed schema statsig_staging is shared: the demo's sources are demo_*, the consumer's
statsig_*). Its metastore, warehouse and Derby files live in a temporary folder."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from dbt_harness import DbtProject, copy_consumer_project
from spark_support import require_spark, spark_rows

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, schemas

pytestmark = [pytest.mark.dbt, pytest.mark.spark]

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "consumer_project"
CONSUMER_SOURCES = ["statsig_app_events", "statsig_daily_spend", "statsig_daily_usage", "statsig_purchases"]
DEMO_SOURCES = ["demo_app_events", "demo_orders", "demo_user_daily_activity", "demo_user_daily_revenue"]
UNENFORCEABLE = (
    "warning: [grants] grants are not enforceable on spark: dbt applies no grants there, so nothing "
    "limits who may read the governed schema\n"
)
KEY = "console-SPARKKEY42"


def _failures(result: Any) -> list[str]:
    return [
        f"{item.node.name}: {item.status} {item.message}"
        for item in (result.result.results if result.result else [])
        if str(item.status) not in ("success", "pass")
    ]


@pytest.fixture(scope="session")
def spark_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_spark()
    return tmp_path_factory.mktemp("spark")


@pytest.fixture(scope="session")
def spark_demo(repo_root: Path, spark_dir: Path) -> tuple[dict[str, Any], Path]:
    """The package's demo, built from the repository root on the `spark` target."""
    project = DbtProject(repo_root, {"STATSIG_SPARK_DIR": str(spark_dir)})
    target = spark_dir / "demo_target"
    result = project.invoke(
        "build", "--target", "spark", "--target-path", str(target), "--log-path", str(spark_dir)
    )
    assert result.success and not _failures(result), _failures(result) or result.exception
    return project.results_by_node(result), target / "manifest.json"


@pytest.fixture(scope="session")
def spark_consumer(
    spark_demo: tuple[dict[str, Any], Path], spark_dir: Path, repo_root: Path
) -> tuple[dict[str, Any], Path]:
    """The consumer fixture on the `spark` target (after the demo: one Spark session serves both)."""
    project_dir = copy_consumer_project(FIXTURE, spark_dir / "consumer", repo_root)
    project = DbtProject(
        project_dir, {"STATSIG_SPARK_DIR": str(spark_dir), "STATSIG_CONSUMER_DUCKDB": "unused"}
    )
    assert project.invoke("deps").success
    result = project.invoke("build", "--target", "spark")
    assert result.success and not _failures(result), _failures(result) or result.exception
    return project.results_by_node(result), project_dir


def _describe(relation: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in spark_rows(f"describe statsig_staging.{relation}")]


def test_demo_and_consumer_sources_have_spark_canonical_types(
    spark_demo: tuple[dict[str, Any], Path], spark_consumer: tuple[dict[str, Any], Path]
) -> None:
    assert _describe("statsig_purchases") == [
        ("user_id", "string"),
        ("company_id", "string"),
        ("timestamp", "timestamp"),
        ("value", "double"),
        ("quantity", "double"),
        ("amount_cents", "double"),
    ]
    assert _describe("demo_orders") == [
        ("user_id", "string"),
        ("timestamp", "timestamp"),
        ("value", "double"),
        ("item_count", "double"),
        ("status", "string"),
    ]
    assert _describe("statsig_daily_usage") == [
        ("user_id", "string"),
        ("timestamp", "timestamp"),
        ("minutes", "double"),
        ("feature", "string"),
    ]


def test_offset_aware_purchase_times_land_as_their_utc_instants(
    spark_consumer: tuple[dict[str, Any], Path],
) -> None:
    # 23:30 at -08:00 is 07:30 UTC the next day; 01:15 at +05:30 is 19:45 UTC the day before. Formatted
    # in the session's zone (UTC), so the Python process's own zone plays no part.
    rows = spark_rows(
        "select user_id, date_format(`timestamp`, 'yyyy-MM-dd HH:mm:ss')"
        " from statsig_staging.statsig_purchases order by user_id"
    )
    assert rows == [("u1", "2026-02-02 07:30:00"), ("u2", "2026-02-01 19:45:00")]
    spend = spark_rows(
        "select user_id, date_format(`timestamp`, 'yyyy-MM-dd HH:mm:ss'), value"
        " from statsig_staging.statsig_daily_spend order by user_id"
    )
    assert spend == [("u1", "2026-02-02 00:00:00", 19.99), ("u2", "2026-02-01 00:00:00", 5.0)]


def test_every_package_test_passes_on_spark(
    spark_demo: tuple[dict[str, Any], Path], spark_consumer: tuple[dict[str, Any], Path]
) -> None:
    for results, sources in ((spark_demo[0], DEMO_SOURCES), (spark_consumer[0], CONSUMER_SOURCES)):
        tests = [name for name in results if name.startswith("statsig_sources_statsig_")]
        assert len(tests) == 4 * len(sources)
        assert {str(results[name].status) for name in tests} == {"pass"}


def test_demo_orders_are_converted_from_local_offsets_to_utc_on_spark(
    spark_demo: tuple[dict[str, Any], Path],
) -> None:
    # o0001 was placed at 12:20:27 +05:30 (seeds/demo/demo_raw_orders.csv): 06:50:27 UTC.
    rows = spark_rows(
        "select date_format(`timestamp`, 'yyyy-MM-dd HH:mm:ss') from statsig_staging.demo_orders"
        " where value = 101.48"
    )
    assert rows == [("2026-03-01 06:50:27",)]


def test_spark_sources_carry_no_grants_and_the_usage_hook_is_empty(
    spark_consumer: tuple[dict[str, Any], Path],
) -> None:
    results, project_dir = spark_consumer
    manifest = json.loads((project_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    for name in CONSUMER_SOURCES:
        node = manifest["nodes"][f"model.statsig_consumer.{name}"]
        assert (node["config"]["grants"], node["database"], node["schema"]) == ({}, None, "statsig_staging")
    assert str(results["statsig_sources-on-run-end-0"].status) == "success"
    assert results["statsig_sources-on-run-end-0"].node.compiled_code.strip() == ""
    # Spark keeps the views over a replaced table: the governed-view check asks nothing and passes.
    for hook in ("statsig_sources-on-run-start-0", "statsig_sources-on-run-end-1"):
        assert (str(results[hook].status), results[hook].node.compiled_code.strip()) == ("success", "")


def test_spark_leaves_no_metastore_warehouse_or_logs_in_the_repository(
    spark_demo: tuple[dict[str, Any], Path], spark_consumer: tuple[dict[str, Any], Path], repo_root: Path
) -> None:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    leaked = [
        line
        for line in status.splitlines()
        if any(part in line for part in ("metastore_db", "derby.log", "spark-warehouse", "spark_dir"))
    ]
    assert leaked == []


def _cli(*args: str, fake: FakeStatsig | None = None) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY} if fake else {}
    return CliRunner().invoke(
        main, [*args, "--custom-unit-type", "companyID"], env=env, catch_exceptions=False
    )


def test_validate_on_the_spark_manifest_passes_with_grants_reported_unenforceable(
    spark_consumer: tuple[dict[str, Any], Path],
) -> None:
    result = _cli("validate", "--project-dir", str(spark_consumer[1]))
    read, body = result.stdout.split("\n", 1)
    assert read.startswith(
        f"Read {spark_consumer[1] / 'target' / 'manifest.json'}: dbt project statsig_consumer, "
    )
    assert read.endswith(f", target spark; statsig-sources {__version__}.")
    assert (result.exit_code, body) == (0, UNENFORCEABLE + "4 metric sources checked: 1 warning.\n")


def test_render_on_the_spark_manifest_writes_payloads_whose_sql_spark_runs(
    spark_consumer: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    result = _cli("render", "--project-dir", str(spark_consumer[1]), "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    validator = schemas.validator("MetricSourceCreationContractDto")
    for name in ["purchases", "statsig_app_events", "statsig_daily_spend", "statsig_daily_usage"]:
        payload = yaml.safe_load((tmp_path / f"{name}.yml").read_text(encoding="utf-8"))
        validator.validate(payload)
        # Two-part names on Spark (no database), backquoted columns.
        relation = payload["sql"].rsplit("from ", 1)[1].strip()
        assert relation.split(".")[0] == "statsig_staging" and relation.count(".") == 1
        assert sorted(spark_rows(payload["sql"]), key=repr) == sorted(
            spark_rows(f"select * from {relation}"), key=repr
        ), name


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


def test_plan_on_the_spark_manifest_creates_every_source(
    spark_consumer: tuple[dict[str, Any], Path], fake: FakeStatsig
) -> None:
    plan = _cli(
        "plan", "--project-dir", str(spark_consumer[1]), "--format", "json", "--detailed-exitcode", fake=fake
    )
    assert plan.exit_code == 4, plan.output
    assert [(item["action"], item["name"]) for item in json.loads(plan.stdout)["items"]] == [
        ("create", name)
        for name in ["purchases", "statsig_app_events", "statsig_daily_spend", "statsig_daily_usage"]
    ]


def test_demo_manifest_on_spark_renders_the_committed_sources_but_for_spark_sql(
    spark_demo: tuple[dict[str, Any], Path], repo_root: Path, tmp_path: Path
) -> None:
    _, manifest = spark_demo
    project = ["--project-dir", str(repo_root), "--manifest", str(manifest)]
    validate = CliRunner().invoke(main, ["validate", *project])
    read, body = validate.stdout.split("\n", 1)
    assert read.startswith(f"Read {manifest}: dbt project statsig_sources, adapter spark, generated ")
    assert (validate.exit_code, body) == (0, UNENFORCEABLE + "4 metric sources checked: 1 warning.\n")
    render = CliRunner().invoke(main, ["render", *project, "--output-dir", str(tmp_path)])
    assert render.exit_code == 0, render.output
    committed_files = sorted((repo_root / "metric_sources").glob("*.yml"))
    assert [path.stem for path in committed_files] == [
        "app_events",
        "orders",
        "user_daily_activity",
        "user_daily_revenue",
    ]
    for committed in committed_files:
        on_spark = yaml.safe_load((tmp_path / committed.name).read_text(encoding="utf-8"))
        expected = yaml.safe_load(committed.read_text(encoding="utf-8"))
        assert {**on_spark, "sql": None} == {**expected, "sql": None}, committed.name
        # DuckDB's three-part, double-quoted relation is Spark's two-part name with backquoted columns.
        assert on_spark["sql"].rsplit("from ", 1)[1].strip().startswith("statsig_staging.demo_")
        assert "`timestamp`" in on_spark["sql"]
