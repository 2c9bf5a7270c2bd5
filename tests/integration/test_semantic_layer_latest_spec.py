"""`import-semantic-layer` on the latest Semantic Layer spec (tests/fixtures/semantic_project_latest):
semantic models on the models, metrics carrying their own aggregation (`metric_aggregation_params`).
Only dbt-core 1.12 writes this shape, so these tests run in the 1.12 environment
(tests/test_dbt_1_12.py) and are skipped on 1.11."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from dbt_harness import DbtProject, copy_consumer_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig

pytestmark = [
    pytest.mark.dbt,
    pytest.mark.skipif(
        tuple(int(part) for part in version("dbt-core").split(".")[:2]) < (1, 12),
        reason="the latest Semantic Layer spec needs dbt-core 1.12",
    ),
]

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "semantic_project_latest"
KEY = "console-SEMANTICLATEST42"
EXPECTED = {
    "completed_revenue": "imported",
    "customers": "imported",
    "latest_order_total": "skipped",
    "orders": "imported",
    "p90_order_value": "approximated",
    "revenue": "imported",
    "revenue_mtd": "skipped",
    "revenue_per_order": "imported",
    "revenue_per_session": "imported",
    "seats": "skipped",  # accounts carry no mapped entity
    "sessions": "imported",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> DbtProject:
    workdir = tmp_path_factory.mktemp("semantic_latest")
    project_dir = copy_consumer_project(FIXTURE, workdir / "project", repo_root)
    project = DbtProject(project_dir, {"STATSIG_SEMANTIC_DUCKDB": str(workdir / "shop.duckdb")})
    for command in (["deps"], ["parse", "--no-partial-parse"]):
        result = project.invoke(*command)
        assert result.success, result.exception
    return project


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


def cli(project: DbtProject, *args: str, env: dict[str, str] | None = None) -> Result:
    command = [*args, "--project-dir", str(project.project_dir)]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def test_the_latest_spec_imports_builds_and_registers(shop: DbtProject, fake: FakeStatsig) -> None:
    imported = cli(shop, "import-semantic-layer", "--format", "json")
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    assert {item["name"]: item["status"] for item in report["metrics"]} == EXPECTED
    entry = yaml.safe_load((shop.project_dir / "models/statsig_semantic/statsig_orders.yml").read_text())
    statsig = entry["models"][0]["config"]["meta"]["statsig"]
    assert (statsig["timestamp"], statsig["granularity"]) == ("ordered_at", "daily_fact")
    metrics = {metric["name"]: metric for metric in statsig["metrics"]}
    assert metrics["Order revenue"] == {
        "name": "Order revenue",
        "aggregation": "sum",
        "value_column": "order_total",
        "description": "The value of every order placed.",
    }
    assert metrics["P90 order value"]["percentile"] == 90
    # dbt-core 1.12's partial parse doubles a model's derived metric: a full parse each time.
    assert shop.invoke("build", "--no-partial-parse").success
    assert cli(shop, "validate").exit_code == 0
    assert cli(shop, "import-semantic-layer", "--check").exit_code == 0
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    applied = cli(shop, "apply", "--yes", env=env)
    assert applied.exit_code == 0, applied.output
    assert sorted(fake.sources) == ["orders", "sessions"]
    assert len(fake.metrics) == sum(status != "skipped" for status in EXPECTED.values())
    assert cli(shop, "plan", "--detailed-exitcode", env=env).exit_code == 0
