"""The package in a project unlike ours (tests/fixtures/unfriendly_project): every model a table by
default, one source naming an upstream column that does not exist, NULL keys. What dbt used to do
silently (tables in the governed schema, the warehouse's binder error, "Got 2 results") is now a
compile error or a failing row that names the model, the column and the fix."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject
from materialization_table import MATERIALIZATION_TABLE
from unfriendly_support import edit_source, failure_message, unfriendly_project

from statsig_sources.cli import main
from statsig_sources.declaration.source import materialization_problem
from statsig_sources.standin import FakeStatsig

pytestmark = pytest.mark.dbt

WHERE = "statsig_sources: model '{name}' (models/statsig/{name}.sql, models/statsig/_statsig.yml)"


def _build(project: DbtProject, *args: str) -> dict[str, Any]:
    result = project.invoke("build", *args)
    assert result.result is not None, result.exception
    return project.results_by_node(result)


def _relations(project: DbtProject) -> list[tuple[str, str, str]]:
    with duckdb.connect(project.env["STATSIG_UNFRIENDLY_DUCKDB"]) as db:
        return db.sql(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema like '%statsig%' order by all"
        ).fetchall()


@pytest.fixture(scope="module")
def as_shipped(
    repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DbtProject, dict[str, Any]]:
    """The project as its team ships it: `+materialized: table` for every model."""
    project = unfriendly_project(tmp_path_factory.mktemp("as_shipped"), repo_root, views=False)
    return project, _build(project)


@pytest.fixture(scope="module")
def with_views(
    repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DbtProject, dict[str, Any]]:
    """After the fix the materialization error names; failing test rows stored."""
    project = unfriendly_project(tmp_path_factory.mktemp("with_views"), repo_root, views=True)
    return project, _build(project, "--store-failures")


@pytest.mark.parametrize("name", ["statsig_orders", "statsig_order_totals"])
def test_an_inherited_table_materialization_is_refused_with_the_fix(
    as_shipped: tuple[DbtProject, dict[str, Any]], name: str
) -> None:
    project, results = as_shipped
    assert str(results[name].status) == "error"
    assert failure_message(results[name]) == (
        f"Compilation Error in model {name} (models/statsig/{name}.sql)\n  "
        + WHERE.format(name=name)
        + " "
        + str(materialization_problem(None, "table"))
    )
    assert str(results["stg_orders"].status) == "success"  # the project's own models build as before
    assert _relations(project) == []  # no table landed in the governed schema


def test_validate_refuses_the_inherited_table_in_the_same_words(
    as_shipped: tuple[DbtProject, dict[str, Any]],
) -> None:
    project, _ = as_shipped
    result = CliRunner().invoke(
        main, ["validate", "--project-dir", str(project.project_dir), "--format", "json"]
    )
    report = json.loads(result.stdout)
    problems = [(v["node_id"], v["message"]) for v in report["violations"] if v["rule"] == "materialization"]
    assert result.exit_code == 1
    assert problems == [
        (f"model.unfriendly_shop.{name}", materialization_problem(None, "table"))
        for name in ("statsig_order_totals", "statsig_orders")
    ]


def test_the_macro_and_validate_share_one_materialization_table(
    as_shipped: tuple[DbtProject, dict[str, Any]], tmp_path: Path
) -> None:
    project, _ = as_shipped
    rows = ", ".join(
        f"({'none' if declared is None else repr(declared)}, {resolved!r})"
        for declared, resolved, _ in MATERIALIZATION_TABLE
    )
    inline = (
        f"{{% for declared, resolved in [{rows}] %}}"
        "{{ statsig_sources._statsig_materialization_problem(declared, resolved) }}\n{% endfor %}"
    )
    result = project.invoke("compile", "--inline", inline, "--target-path", str(tmp_path))
    assert result.success, result.exception
    problems = result.result.results[0].node.compiled_code.split("\n")[:-1]
    assert problems == [str(problem) for _, _, problem in MATERIALIZATION_TABLE]


def test_a_declared_column_missing_upstream_is_a_compile_error_naming_it(
    with_views: tuple[DbtProject, dict[str, Any]],
) -> None:
    project, results = with_views
    outcome = results["statsig_order_totals"]
    database = Path(project.env["STATSIG_UNFRIENDLY_DUCKDB"]).stem
    assert str(outcome.status) == "error"
    assert failure_message(outcome) == (
        "Compilation Error in model statsig_order_totals (models/statsig/statsig_order_totals.sql)\n  "
        + WHERE.format(name="statsig_order_totals")
        + f' reads columns that "{database}"."dbt_dev"."stg_orders" does not have: '
        "measures.total_order_amount: total_order_amount "
        "(its columns: order_id, customer_id, ordered_at, amount, discount, status)"
    )
    assert "Binder Error" not in str(outcome.message)
    assert _relations(project) == [("dbt_dev_statsig_staging", "statsig_orders", "VIEW")]


def test_running_on_an_empty_warehouse_names_the_way_out(
    with_views: tuple[DbtProject, dict[str, Any]], tmp_path: Path
) -> None:
    project, _ = with_views
    empty = DbtProject(project.project_dir, {"STATSIG_UNFRIENDLY_DUCKDB": str(tmp_path / "empty.duckdb")})
    result = empty.invoke("run", "--select", "statsig_orders", "--target-path", str(tmp_path / "target"))
    assert not result.success
    # The package's run hooks have results of their own: the model's is the one named.
    failed = (
        [item for item in result.result.results if item.node.name == "statsig_orders"]
        if result.result
        else []
    )
    message = str(failed[0].message) if failed else str(result.exception)
    assert (
        WHERE.format(name="statsig_orders")
        + (
            ' reads "empty"."dbt_dev"."stg_orders", which does not exist in the warehouse yet: build it '
            "first (dbt build --select +statsig_orders)"
        )
        in message
    )
    assert "Catalog Error" not in message


def test_compiling_asks_the_empty_warehouse_nothing_and_warns_once_without_timestamp_type(
    with_views: tuple[DbtProject, dict[str, Any]], tmp_path: Path
) -> None:
    project, _ = with_views
    empty = DbtProject(project.project_dir, {"STATSIG_UNFRIENDLY_DUCKDB": str(tmp_path / "empty.duckdb")})
    # stg_orders was never built there: had the macro asked the warehouse, it would have failed.
    result, events = empty.invoke_logged(
        "compile", "--select", "statsig_orders", "--no-populate-cache", "--target-path", str(tmp_path / "t")
    )
    assert result.success, result.exception
    warnings = [str(event.info.msg) for event in events if event.info.level == "warn"]
    assert len(warnings) == 1, warnings
    assert (
        WHERE.format(name="statsig_orders") + " was compiled without asking the warehouse its timestamp's "
        "type (only dbt run and dbt build ask), so its timestamp is taken as naive UTC here; declare "
        "meta.statsig.timestamp_type (offset_aware, naive or date) to compile it exactly as it builds"
    ) in warnings[0]
    compiled = result.result.results[0].node.compiled_code
    assert "cast((ordered_at) as timestamp)" in compiled


def test_compiling_with_timestamp_type_declared_asks_the_empty_warehouse_nothing(
    repo_root: Path, tmp_path: Path
) -> None:
    project = unfriendly_project(tmp_path, repo_root, views=True)
    edit_source(
        project,
        "statsig_orders",
        lambda entry: entry["config"]["meta"]["statsig"].update({"timestamp_type": "naive"}),
    )
    # stg_orders was never built: had the macro asked the warehouse, it would have said so and failed.
    result = project.invoke("compile", "--select", "statsig_orders", "--no-populate-cache")
    assert result.success, result.exception
    assert 'from "unfriendly"."dbt_dev"."stg_orders"' in result.result.results[0].node.compiled_code


def test_keys_not_null_rows_name_the_null_column(with_views: tuple[DbtProject, dict[str, Any]]) -> None:
    project, results = with_views
    [name] = [
        key for key in results if key.startswith("statsig_sources_statsig_keys_not_null_statsig_orders")
    ]
    assert (str(results[name].status), results[name].failures) == ("fail", 2)
    with duckdb.connect(project.env["STATSIG_UNFRIENDLY_DUCKDB"]) as db:
        rows = db.sql(f"select * from {results[name].node.relation_name} order by problem").fetchall()
    assert rows == [
        ("customer_id is null", None, datetime(2026, 3, 2, 11, 0)),
        ("timestamp is null", "c1", None),
    ]


def test_validate_names_the_source_whose_build_failed(with_views: tuple[DbtProject, dict[str, Any]]) -> None:
    project, _ = with_views
    result = CliRunner().invoke(main, ["validate", "--project-dir", str(project.project_dir)])
    errors = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert result.exit_code == 1
    assert len(errors) == 1
    assert errors[0].startswith(
        "error: [build_status] model.unfriendly_shop.statsig_order_totals "
        "(models/statsig/statsig_order_totals.sql, models/statsig/_statsig.yml): its build failed in "
        "`dbt build`: Compilation Error in model statsig_order_totals "
    )
    assert errors[0].endswith(
        "does not have: measures.total_order_amount: total_order_amount (its columns: order_id, customer_id, "
        "ordered_at, amount, discount, status); fix it and build it again"
    )
    # A development target and DuckDB's missing grants are warnings; the failed source is not also
    # blamed for lacking compiled SQL.
    warnings = [line.split("]")[0] for line in result.stdout.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: [governed_schema", "warning: [grants"]
    assert result.stdout.endswith("2 metric sources checked: 1 error, 2 warnings.\n")


def test_render_and_plan_refuse_the_failed_source_and_send_nothing(
    with_views: tuple[DbtProject, dict[str, Any]], tmp_path: Path
) -> None:
    project, _ = with_views
    render = CliRunner().invoke(
        main, ["render", "--project-dir", str(project.project_dir), "--output-dir", str(tmp_path / "out")]
    )
    assert (render.exit_code, render.stdout.splitlines()[-1]) == (1, "render refused: nothing was written.")
    assert not (tmp_path / "out").exists()
    with FakeStatsig() as fake:
        env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": "console-UNFRIENDLY1"}
        plan = CliRunner().invoke(main, ["plan", "--project-dir", str(project.project_dir)], env=env)
        assert (plan.exit_code, plan.stdout.splitlines()[-1]) == (
            1,
            "plan refused: no request was sent to Statsig.",
        )
        assert "[build_status] model.unfriendly_shop.statsig_order_totals" in plan.stdout
        assert fake.requests == []
