"""`import-semantic-layer` on a Semantic Layer project of its own (tests/fixtures/semantic_project,
written from dbt's documentation; dbt writes its manifest): the report, the files and their hashes,
`--check`, `--strict`, `--force`, and the whole chain against the stand-in: import, `dbt build`,
validate, plan, apply, and a second plan with nothing to do."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from dbt_harness import DbtProject, copy_consumer_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig

pytestmark = pytest.mark.dbt

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "semantic_project"
OUT = "models/statsig_semantic"
KEY = "console-SEMANTIC42"

# Every metric of the fixture and what the import makes of it.
EXPECTED = {
    "average_order_value": "imported",
    "completed_revenue": "imported",
    "completed_revenue_per_session": "imported",
    "customers": "imported",
    "food_order_count": "imported",  # a count of a column: its non-null rows
    "food_orders": "imported",
    "large_order_revenue": "skipped",  # filter on a computed dimension
    "largest_order": "imported",
    "latest_order_total": "skipped",  # non_additive_dimension
    "median_order_value": "approximated",
    "mobile_customer_revenue": "skipped",  # a join through another entity
    "ordered_orders": "imported",
    "orders": "imported",
    "p90_order_value": "approximated",
    "page_views": "imported",
    "recent_revenue": "skipped",  # a time-dimension filter
    "revenue": "imported",
    "revenue_7d": "skipped",  # cumulative window
    "revenue_filled": "approximated",  # fill_nulls_with
    "revenue_growth": "skipped",  # derived with an offset
    "revenue_mtd": "skipped",  # cumulative grain_to_date
    "revenue_per_order": "imported",  # derived a / b
    "revenue_per_session": "imported",  # ratio across sources
    "seats": "imported",
    "session_to_order": "skipped",  # conversion
    "sessions": "imported",
    "smallest_order": "imported",
    "store_revenue": "skipped",  # its semantic model has no unit entity
    "web_or_app_revenue": "imported",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> DbtProject:
    """The fixture with the package installed and parsed (no generated models yet)."""
    workdir = tmp_path_factory.mktemp("semantic")
    project_dir = copy_consumer_project(FIXTURE, workdir / "project", repo_root)
    project = DbtProject(project_dir, {"STATSIG_SEMANTIC_DUCKDB": str(workdir / "shop.duckdb")})
    for command in ("deps", "parse"):
        result = project.invoke(command)
        assert result.success, result.exception
    return project


def cli(project: DbtProject, *args: str, env: dict[str, str] | None = None) -> Result:
    command = [*args, "--project-dir", str(project.project_dir)]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def import_json(project: DbtProject, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli(project, "import-semantic-layer", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_the_report_accounts_for_every_metric_and_semantic_model(shop: DbtProject, tmp_path: Path) -> None:
    code, report = import_json(shop, "--out-dir", str(tmp_path / "out"))
    assert code == 0
    assert {item["name"]: item["status"] for item in report["metrics"]} == EXPECTED
    models = {item["name"]: item["status"] for item in report["semantic_models"]}
    assert models == {
        "accounts": "imported",
        "orders": "imported",
        "sessions": "imported",
        "store_days": "skipped",
    }
    assert report["summary"] == {"imported": 20, "approximated": 3, "skipped": 10}
    skipped = next(item for item in report["semantic_models"] if item["name"] == "store_days")
    assert "statsig_entity_unit_types" in skipped["reason"]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        f"statsig_{name}.{suffix}" for name in ("accounts", "orders", "sessions") for suffix in ("sql", "yml")
    ]


def test_the_declarations_carry_the_mapping(shop: DbtProject, tmp_path: Path) -> None:
    assert import_json(shop, "--out-dir", str(tmp_path))[0] == 0
    entry = yaml.safe_load((tmp_path / "statsig_orders.yml").read_text(encoding="utf-8"))["models"][0]
    statsig = entry["config"]["meta"]["statsig"]
    assert entry["config"]["materialized"] == "view"
    assert statsig["unit_ids"] == {"customer": {"unit_type": "userID", "expression": "customer_id"}}
    assert (statsig["timestamp"], statsig["granularity"]) == ("ordered_at", "daily_fact")
    metrics = {metric["name"]: metric for metric in statsig["metrics"]}
    assert metrics["P90 order value"]["percentile"] == 90
    assert metrics["Completed order revenue"]["criteria"] == [
        {"column": "status", "condition": "in", "values": ["completed"]}
    ]
    assert metrics["Revenue per session"]["denominator"] == {
        "source": "sessions",
        "aggregation": "sum",
        "value_column": "session_count",
    }
    assert metrics["Order revenue"]["description"] == "The value of every order placed."
    sql = (tmp_path / "statsig_orders.sql").read_text(encoding="utf-8")
    assert "config(materialized='view'" in sql and "ref('fct_orders')" in sql


def test_strict_fails_on_a_skip_and_writes_nothing(shop: DbtProject, tmp_path: Path) -> None:
    code, report = import_json(shop, "--strict", "--out-dir", str(tmp_path / "out"))
    assert (code, report["ok"]) == (1, False)
    assert not (tmp_path / "out").exists()


def test_a_hand_edit_is_left_alone_and_named_unless_forced(shop: DbtProject, tmp_path: Path) -> None:
    assert import_json(shop, "--out-dir", str(tmp_path))[0] == 0
    edited = tmp_path / "statsig_orders.yml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("daily_fact", "event_log"), encoding="utf-8")
    before = edited.read_text(encoding="utf-8")
    result = cli(shop, "import-semantic-layer", "--out-dir", str(tmp_path))
    assert result.exit_code == 1
    assert f"--force replaces it): {tmp_path}/statsig_orders.yml" in result.stdout
    assert edited.read_text(encoding="utf-8") == before
    assert cli(shop, "import-semantic-layer", "--check", "--out-dir", str(tmp_path)).exit_code == 1
    assert cli(shop, "import-semantic-layer", "--force", "--out-dir", str(tmp_path)).exit_code == 0
    assert "daily_fact" in edited.read_text(encoding="utf-8")


def test_a_jinja_unit_map_is_refused(shop: DbtProject, tmp_path: Path) -> None:
    project_dir = tmp_path / "project"
    shutil.copytree(shop.project_dir, project_dir, ignore=shutil.ignore_patterns("dbt_packages", "logs"))
    settings = project_dir / "dbt_project.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace("customer: userID", "customer: \"{{ env_var('UNIT') }}\""), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["import-semantic-layer", "--project-dir", str(project_dir)])
    assert result.exit_code == 2
    assert "var `statsig_entity_unit_types` is a Jinja expression" in result.output


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


def test_the_whole_chain_registers_and_a_second_run_changes_nothing(
    shop: DbtProject, fake: FakeStatsig
) -> None:
    """Import, parse, validate (the pull request), then build, apply, and plan again: nothing to do."""
    assert cli(shop, "import-semantic-layer").exit_code == 0
    assert shop.invoke("parse").success
    validated = cli(shop, "validate")
    assert validated.exit_code == 0, validated.output
    built = shop.invoke("build")
    assert built.success, built.exception
    second = cli(shop, "import-semantic-layer", "--check")
    assert second.exit_code == 0, second.output
    assert "0 file(s) would change, 6 unchanged" in second.stdout
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    applied = cli(shop, "apply", "--yes", env=env)
    assert applied.exit_code == 0, applied.output
    assert sorted(fake.sources) == ["accounts", "orders", "sessions"]
    registered = sorted(metric["name"] for metric in fake.metrics.values())
    assert registered == sorted(_statsig_names(shop))
    again = cli(shop, "plan", "--detailed-exitcode", env=env)
    assert again.exit_code == 0, again.output


def test_a_unit_var_dbt_resolved_otherwise_is_refused(shop: DbtProject) -> None:
    """The generated models record the var as dbt resolved it; `--vars` overriding it is caught."""
    assert cli(shop, "import-semantic-layer").exit_code == 0
    assert shop.invoke("parse", "--vars", "{statsig_entity_unit_types: {customer: stableID}}").success
    refused = cli(shop, "import-semantic-layer", "--check")
    assert refused.exit_code == 2
    assert "records var `statsig_entity_unit_types` as dbt resolved it" in refused.output
    assert shop.invoke("parse").success
    assert cli(shop, "import-semantic-layer", "--check").exit_code == 0


def test_a_removed_semantic_model_fails_check_and_its_files_go(shop: DbtProject) -> None:
    """Runs last: it changes the project."""
    assert cli(shop, "import-semantic-layer").exit_code == 0
    semantic = shop.project_dir / "models" / "marts" / "_semantic.yml"
    document = yaml.safe_load(semantic.read_text(encoding="utf-8"))
    document["semantic_models"] = [item for item in document["semantic_models"] if item["name"] != "accounts"]
    document["metrics"] = [item for item in document["metrics"] if item["name"] != "seats"]
    semantic.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert shop.invoke("parse").success
    checked = cli(shop, "import-semantic-layer", "--check")
    assert checked.exit_code == 1
    assert f"would be deleted {OUT}/statsig_accounts.sql" in checked.stdout
    assert cli(shop, "import-semantic-layer").exit_code == 0
    assert not (shop.project_dir / OUT / "statsig_accounts.sql").exists()


def _statsig_names(project: DbtProject) -> list[str]:
    names = []
    for path in sorted((project.project_dir / OUT).glob("*.yml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))["models"][0]
        names += [metric["name"] for metric in entry["config"]["meta"]["statsig"].get("metrics", [])]
    return names
