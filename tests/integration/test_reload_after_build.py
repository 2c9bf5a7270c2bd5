"""`reload` after a real `dbt build` of the package's demo: the experiments whose metrics read what the
build changed are loaded, with exactly those metrics, and a rerun requests nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject, copy_package_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig

pytestmark = pytest.mark.dbt

KEY = "console-TESTKEY0123456789"
# Beside the demo's seed (scripts/demo_statsig_seed.yml: one_click_checkout on Order Revenue and the
# Checkout Conversion funnel over app_events and orders), experiments on the daily sources' metrics.
EXPERIMENTS = [
    {"id": "activity_nudge", "primaryMetrics": [{"name": "Minutes Active", "type": "user_warehouse"}]},
    {"id": "session_value", "secondaryMetrics": [{"name": "Revenue per Session", "type": "user_warehouse"}]},
]


@pytest.fixture(scope="module")
def demo(
    repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DbtProject, FakeStatsig]]:
    """A copy of the repository's dbt files (built by each test) and a stand-in seeded as `make demo`
    seeds it."""
    workdir = tmp_path_factory.mktemp("reload")
    project_dir = workdir / "project"
    copy_package_project(repo_root, project_dir)
    project = DbtProject(project_dir, {"STATSIG_SOURCES_DUCKDB_PATH": str(workdir / "demo.duckdb")})
    with FakeStatsig() as fake:
        fake.seed_file(repo_root / "scripts" / "demo_statsig_seed.yml")
        fake.seed_experiments(EXPERIMENTS)
        yield project, fake


def reload(project: DbtProject, fake: FakeStatsig) -> dict[str, Any]:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = ["reload", "--project-dir", str(project.project_dir), "--format", "json"]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def loads_since(fake: FakeStatsig, count: int) -> dict[str, tuple[str, list[str]]]:
    return {load.experiment_id: (load.refresh, list(load.metric_ids)) for load in fake.loads[count:]}


def test_building_one_source_reloads_exactly_the_experiments_on_what_changed(
    demo: tuple[DbtProject, FakeStatsig],
) -> None:
    """`demo_raw_orders+` loads the orders seed and rebuilds everything downstream of it: the orders
    source, and demo_int_user_daily_revenue (a table) with the revenue source over it, so the ratio on
    revenue is reloaded too; the activity experiment is not."""
    project, fake = demo
    built = project.invoke("build", "--select", "demo_raw_orders+")
    assert built.success, built.exception
    report = reload(project, fake)
    assert [(s["name"], s["status"], s.get("upstream")) for s in report["sources"]] == [
        ("orders", "built", None),
        ("user_daily_revenue", "built", None),
    ]
    assert loads_since(fake, 0) == {
        "one_click_checkout": (
            "metric",
            ["Checkout Conversion::user_warehouse", "Order Revenue::user_warehouse"],
        ),
        "session_value": ("metric", ["Revenue per Session::user_warehouse"]),
    }
    assert report["run"]["command"].startswith("dbt build")
    before = len(fake.loads)
    again = reload(project, fake)
    assert [e["outcome"] for e in again["experiments"]] == ["already_loaded", "already_loaded"]
    assert len(fake.loads) == before


def test_rebuilding_a_seed_reloads_the_view_over_it_and_the_ratio_on_it(
    demo: tuple[DbtProject, FakeStatsig],
) -> None:
    project, fake = demo
    assert project.invoke("build").success  # the database exists from here on
    before = len(fake.loads)
    built = project.invoke("build", "--select", "demo_raw_user_daily")
    assert built.success, built.exception
    report = reload(project, fake)
    assert [(s["name"], s["status"], s.get("upstream")) for s in report["sources"]] == [
        ("user_daily_activity", "upstream", ["seed.statsig_sources.demo_raw_user_daily"])
    ]
    assert loads_since(fake, before) == {
        "activity_nudge": ("metric", ["Minutes Active::user_warehouse"]),
        "session_value": ("metric", ["Revenue per Session::user_warehouse"]),
    }


def test_a_seed_rebuilt_under_a_table_that_was_not_changes_nothing_above_the_table(
    demo: tuple[DbtProject, FakeStatsig],
) -> None:
    """`+demo_orders` reloads the orders seed, which demo_int_user_daily_revenue reads; that table was not
    rebuilt, so it holds yesterday's rows and the revenue source over it did not change."""
    project, fake = demo
    assert project.invoke("build").success
    before = len(fake.loads)
    built = project.invoke("build", "--select", "+demo_orders")
    assert built.success, built.exception
    report = reload(project, fake)
    assert [(s["name"], s["status"]) for s in report["sources"]] == [("orders", "built")]
    assert loads_since(fake, before) == {
        "one_click_checkout": (
            "metric",
            ["Checkout Conversion::user_warehouse", "Order Revenue::user_warehouse"],
        ),
    }
