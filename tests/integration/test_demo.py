"""The package's demo (models/staging/) built from the repository root, and `make demo` (scripts/demo.py)."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject
from exposure_meta import statsig_metric

from statsig_sources.cli import main

pytestmark = pytest.mark.dbt

DEMO_SOURCES = {
    "demo_app_events": "event_log",
    "demo_orders": "event_log",
    "demo_user_daily_activity": "daily_fact",
    "demo_user_daily_revenue": "daily_aggregate",
}
DEMO_SOURCES_BY_NAME = ["app_events", "orders", "user_daily_activity", "user_daily_revenue"]
# The metrics the demo declares as code (models/staging/statsig/_demo__statsig_sources.yml), by name.
DEMO_METRICS = ["Completed orders", "Gross order value", "Revenue per active minute"]


@pytest.fixture(scope="module")
def demo_build(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    workdir = tmp_path_factory.mktemp("demo")
    # Named as `make demo` names it: DuckDB's database name (the file's stem) is in rendered relations.
    database = workdir / "statsig_demo.duckdb"
    project = DbtProject(repo_root, {"STATSIG_SOURCES_DUCKDB_PATH": str(database)})
    result = project.invoke("build", "--target-path", str(workdir / "target"), "--log-path", str(workdir))
    assert result.success, result.exception
    return project.results_by_node(result), database


def test_demo_builds_one_governed_view_per_granularity_and_all_package_tests_pass(
    demo_build: tuple[dict[str, Any], Path],
) -> None:
    results, database = demo_build
    with duckdb.connect(str(database)) as db:
        views = db.sql(
            "select table_name from information_schema.tables "
            "where table_schema = 'statsig_staging' and table_type = 'VIEW' order by 1"
        ).fetchall()
    assert [name for (name,) in views] == sorted(DEMO_SOURCES)
    tests = [item for name, item in results.items() if name.startswith("statsig_sources_statsig_")]
    assert len(tests) == 4 * len(DEMO_SOURCES)
    assert {str(item.status) for item in tests} == {"pass"}


def test_demo_has_a_source_with_two_unit_types_and_logged_out_rows(
    demo_build: tuple[dict[str, Any], Path],
) -> None:
    _, database = demo_build
    with duckdb.connect(str(database)) as db:
        [(logged_out, both)] = db.sql(
            "select count(*) filter (where user_id is null and stable_id is not null),"
            " count(*) filter (where user_id is not null and stable_id is not null)"
            " from statsig_staging.demo_app_events"
        ).fetchall()
    assert logged_out > 0 and both > 0


def test_demo_orders_are_converted_from_local_offsets_to_utc(demo_build: tuple[dict[str, Any], Path]) -> None:
    _, database = demo_build
    with duckdb.connect(str(database)) as db:
        # o0001 was placed at 12:20:27 +05:30 (seeds/demo/demo_raw_orders.csv): 06:50:27 UTC.
        [(timestamp,)] = db.sql(
            "select cast(o.timestamp as varchar) from statsig_staging.demo_orders o where o.value = 101.48"
        ).fetchall()
    assert timestamp == "2026-03-01 06:50:27"


def test_committed_metric_sources_are_rendered_from_the_demo_manifest(
    demo_build: tuple[dict[str, Any], Path], repo_root: Path
) -> None:
    _, database = demo_build
    manifest = database.parent / "target" / "manifest.json"
    result = CliRunner().invoke(
        main, ["render", "--check", "--project-dir", str(repo_root), "--manifest", str(manifest)]
    )
    assert result.exit_code == 0, result.output + "\nrun `make demo && statsig-sources render` and commit"
    assert result.stdout.endswith("metric_sources/ is up to date (7 files).\n")


def test_demo_data_generator_reproduces_the_committed_seeds(repo_root: Path, tmp_path: Path) -> None:
    generator = runpy.run_path(str(repo_root / "scripts" / "generate_demo_data.py"))
    generator["write_demo_data"](tmp_path)
    for path in sorted((repo_root / "seeds" / "demo").glob("*.csv")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def _demo_manifest(demo_build: tuple[dict[str, Any], Path]) -> dict[str, Any]:
    _, database = demo_build
    manifest: dict[str, Any] = json.loads(
        (database.parent / "target" / "manifest.json").read_text(encoding="utf-8")
    )
    return manifest


PUBLIC_MACROS = [
    "statsig_source",
    "statsig_schema_name",
    "grant_statsig_schema_usage",
    "statsig_type_double",
    "statsig_column_name",
    "statsig_convert_to_utc",
    "statsig_text_timestamp_to_utc",
    "statsig_utc_now",
    "test_statsig_canonical_columns",
    "test_statsig_keys_not_null",
    "test_statsig_timestamp_not_in_future",
    "test_statsig_one_row_per_unit_day",
]


def test_every_macro_is_documented_for_dbt_docs(demo_build: tuple[dict[str, Any], Path]) -> None:
    macros = {
        macro["name"]: macro
        for macro in _demo_manifest(demo_build)["macros"].values()
        if macro["package_name"] == "statsig_sources"
    }
    assert set(PUBLIC_MACROS) <= set(macros)
    # Adapter implementations (`default__x`, `duckdb__x`) are documented by the macro they implement.
    undocumented = sorted(
        name for name, macro in macros.items() if not macro["description"].strip() and "__" not in name
    )
    assert undocumented == []
    assert all(argument["description"] for name in PUBLIC_MACROS for argument in macros[name]["arguments"])


def test_dbt_parses_nothing_under_tests(demo_build: tuple[dict[str, Any], Path]) -> None:
    manifest = _demo_manifest(demo_build)
    parsed = [node["original_file_path"] for node in manifest["nodes"].values()]
    parsed += [node["original_file_path"] for nodes in manifest["disabled"].values() for node in nodes]
    assert parsed and not [path for path in parsed if path.startswith("tests/")]


# --- `make demo`: scripts/demo.py, run as `make demo` runs it ---------------------------------------

DEMO_COMMANDS = [
    "export STATSIG_SOURCES_DUCKDB_PATH={scratch}/statsig_demo.duckdb",
    "dbt build --project-dir {scratch}/project --profiles-dir {scratch}/project",
    "statsig-sources validate --project-dir {scratch}/project",
    "statsig-sources render --project-dir {scratch}/project",
    "statsig-sources stand-in --state {scratch}/statsig-stand-in.json &",
    "export STATSIG_API_URL={url} STATSIG_CONSOLE_API_KEY=console-demo-not-a-real-key",
    "statsig-sources plan --project-dir {scratch}/project",
    "statsig-sources apply --project-dir {scratch}/project --yes",
    "statsig-sources plan --project-dir {scratch}/project",
    "statsig-sources stand-in --state {scratch}/statsig-stand-in.json --seed scripts/demo_statsig_seed.yml &",
    "export STATSIG_API_URL={url} STATSIG_CONSOLE_API_KEY=console-demo-not-a-real-key",
    "statsig-sources usage --project-dir {scratch}/project"
    " --write-exposures {scratch}/project/models/statsig_exposures.yml",
    "dbt parse --project-dir {scratch}/project --profiles-dir {scratch}/project",
    "dbt build --select demo_raw_orders+ --project-dir {scratch}/project --profiles-dir {scratch}/project",
    "statsig-sources reload --project-dir {scratch}/project",
    "statsig-sources reload --project-dir {scratch}/project",
]


@pytest.fixture(scope="module")
def demo_run(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """scripts/demo.py with its scratch place moved into a temporary directory."""
    scratch = tmp_path_factory.mktemp("make-demo") / "scratch"
    before = _committed_state(repo_root)
    env = {**os.environ, "STATSIG_SOURCES_DEMO_DIR": str(scratch)}
    env.pop("STATSIG_CONSOLE_API_KEY", None)  # no key: the demo needs none
    completed = subprocess.run(
        [sys.executable, "scripts/demo.py"], cwd=repo_root, env=env, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert _committed_state(repo_root) == before, "the demo wrote into the repository"
    return completed.stdout.replace(str(scratch), "{scratch}"), scratch


def _committed_state(repo_root: Path) -> dict[str, bytes]:
    """Every file under metric_sources/ and models/, the places the demo must leave alone."""
    return {
        str(path.relative_to(repo_root)): path.read_bytes()
        for folder in ("metric_sources", "models")
        for path in sorted((repo_root / folder).rglob("*"))
        if path.is_file()
    }


def _section(output: str, number: int) -> str:
    """The text of step `number`, from its heading to the next step's."""
    match = re.search(rf"^{number}\. .*?(?=^\d+\. |\Z)", output, flags=re.M | re.S)
    assert match, f"step {number} is missing"
    return match.group(0)


def test_demo_shows_every_command_it_ran(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    commands = [line[2:] for line in output.splitlines() if line.startswith("$ ")]
    urls = re.compile(r"http://127\.0\.0\.1:\d+/console/v1")
    assert [urls.sub("{url}", command) for command in commands] == DEMO_COMMANDS


def test_demo_builds_the_views_and_validates_them(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    views = re.findall(r"^  (demo_\w+) +(\d+) rows", _section(output, 1), flags=re.M)
    assert [view for view, _ in views] == sorted(DEMO_SOURCES) and all(int(rows) > 0 for _, rows in views)
    assert _section(output, 2).endswith("4 metric sources checked: 1 warning.\n\n")


def test_demo_renders_the_committed_files_into_its_scratch_copy(
    demo_run: tuple[str, Path], repo_root: Path
) -> None:
    output, scratch = demo_run
    assert "metric_sources/: 7 written, 0 removed, 0 unchanged.\n" in _section(output, 3)
    rendered, committed = (_files(folder / "metric_sources") for folder in (scratch / "project", repo_root))
    assert sorted(rendered) == [
        "app_events.yml",
        "metrics/completed_orders.yml",
        "metrics/gross_order_value.yml",
        "metrics/revenue_per_active_minute.yml",
        "orders.yml",
        "user_daily_activity.yml",
        "user_daily_revenue.yml",
    ]
    assert rendered == committed


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def test_demo_plans_applies_and_then_has_nothing_to_do(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    marker = "(marker managed-by:statsig-sources:statsig_sources)"
    creates = "".join(f"+ create {name}\n" for name in DEMO_SOURCES_BY_NAME)
    metric_creates = "".join(f"+ create {name}\n" for name in DEMO_METRICS)
    assert (
        f"Statsig metric sources {marker}: 4 to create, 0 to update, 0 unchanged, 0 orphaned, 0 blocked.\n"
        f"{creates}"
        f"Statsig metrics {marker}: 3 to create, 0 to update, 0 unchanged, 0 orphaned, 0 blocked.\n"
        f"{metric_creates}"
    ) in _section(output, 5)
    applied = _section(output, 6)
    # Sources first, then the metrics that read them; the owner of one metric is a second write.
    done = [f"done: create {name}" for name in DEMO_SOURCES_BY_NAME]
    done += [f"done: create metric {name}" for name in DEMO_METRICS]
    assert "\n".join(done) + "\nApplied: 8 write(s).\n" in applied
    assert (
        f"Statsig metric sources {marker}: 0 to create, 0 to update, 4 unchanged, 0 orphaned, 0 blocked.\n"
        f"Statsig metrics {marker}: 0 to create, 0 to update, 3 unchanged, 0 orphaned, 0 blocked.\n"
    ) in _section(output, 7)


def test_demo_starts_a_stand_in_that_says_it_is_not_statsig(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    for number, held in [
        (4, "0 metric source(s), 0 metric(s), 0 experiment(s)"),
        (8, "4 metric source(s), 7 metric(s), 1 experiment(s)"),
    ]:
        section = _section(output, number)
        assert "It is not Statsig:\nnothing reaches Statsig" in section
        assert f"Holding {held} and 0 fault(s) to inject.\n" in section


def test_demo_reports_usage_and_dbt_parses_the_exposures(demo_run: tuple[str, Path]) -> None:
    output, scratch = demo_run
    usage = _section(output, 9)
    assert "4 managed source(s), 4 used, 0 unused; 7 metric(s), 0 dangling." in usage
    rows = [" ".join(line.split()) for line in usage.splitlines() if line.startswith("orders ")]
    assert rows == [
        "orders demo_orders Checkout Conversion funnel",
        "orders demo_orders Completed orders (as code) count status",
        "orders demo_orders Gross order value (as code) sum status, value",
        "orders demo_orders Order Revenue sum status, value",
    ]
    assert _section(output, 10).splitlines()[2:] == [
        "dbt's manifest now holds 7 exposure(s), each downstream of the models it reads:",
        "  statsig_checkout_conversion        <- demo_app_events, demo_orders",
        "  statsig_completed_orders           <- demo_orders",
        "  statsig_gross_order_value          <- demo_orders",
        "  statsig_minutes_active             <- demo_user_daily_activity",
        "  statsig_order_revenue              <- demo_orders",
        "  statsig_revenue_per_active_minute  <- demo_user_daily_activity, demo_user_daily_revenue",
        "  statsig_revenue_per_session        <- demo_user_daily_activity, demo_user_daily_revenue",
        "",
    ]
    manifest = json.loads((scratch / "project" / "target" / "manifest.json").read_text())
    as_code = {
        exposure["label"]: statsig_metric(exposure)["managed_as_code"]
        for exposure in manifest["exposures"].values()
    }
    assert as_code == {
        "Checkout Conversion": False,
        "Completed orders": True,
        "Gross order value": True,
        "Minutes Active": False,
        "Order Revenue": False,
        "Revenue per Session": False,
        "Revenue per active minute": True,
    }


def test_demo_reloads_the_experiment_on_the_rebuilt_orders_once(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    changed = (
        "Changed: 2 metric source(s): orders (demo_orders), user_daily_revenue (demo_user_daily_revenue).\n"
    )
    first, second = _section(output, 11), _section(output, 12)
    assert changed in first and changed in second
    assert (
        "requested: one_click_checkout (refresh=metric: Checkout Conversion::user_warehouse, "
        "Order Revenue::user_warehouse)\nReload: 1 requested, 0 already loaded, 0 refused, 0 skipped.\n"
    ) in first
    assert "Reload: 0 requested, 1 already loaded, 0 refused, 0 skipped.\n" in second
    assert second.endswith(
        "Against your own project and Statsig: the same commands with --project-dir pointing at your dbt\n"
        "project, STATSIG_CONSOLE_API_KEY set to a Console API key and STATSIG_API_URL unset (README.md).\n"
    )
