"""The package's own demo (models/staging/), built from the repository root as `make demo` builds it."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject

from statsig_sources.cli import main

pytestmark = pytest.mark.dbt

DEMO_SOURCES = {
    "demo_app_events": "event_log",
    "demo_orders": "event_log",
    "demo_user_daily_activity": "daily_fact",
    "demo_user_daily_revenue": "daily_aggregate",
}


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
    assert result.stdout.endswith("metric_sources/ is up to date (4 files).\n")


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
