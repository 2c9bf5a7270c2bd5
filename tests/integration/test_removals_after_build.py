"""The second week on the unfriendly consumer (tests/fixtures/unfriendly_project), built with dbt and
registered with the stand-in: a pull request deletes a model a live metric reads, renames a model
keeping its source name, then changes that name. Each plan is what a reviewer sees."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from dbt_harness import DbtProject
from unfriendly_support import SOURCES, drop_measure, edit_source, unfriendly_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, make_metric
from statsig_sources.statsig.api import StatsigClient

pytestmark = pytest.mark.dbt

KEY = "console-SECONDWEEK42"
MARKER = "managed-by:statsig-sources:unfriendly_shop"


@pytest.fixture(scope="module")
def stages(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each stage's target directory: `merged` builds both sources; `removed` deletes the model
    statsig_order_totals; `renamed` then renames statsig_orders to statsig_paid_orders, declaring
    `source_name: statsig_orders`; `new_name` then declares `source_name: paid_orders`."""
    workdir = tmp_path_factory.mktemp("second_week")
    project = unfriendly_project(workdir, repo_root, views=True)
    edit_source(project, "statsig_order_totals", drop_measure("total_order_amount"))
    edit_source(
        project,
        "statsig_order_totals",
        lambda entry: entry["config"]["meta"]["statsig"].update({"value": "amount"}),
    )
    edit_source(project, "statsig_order_totals", lambda entry: entry["columns"].append({"name": "value"}))
    found = {"merged": _build(project, workdir / "merged")}
    _delete_model(project, "statsig_order_totals")
    found["removed"] = _build(project, workdir / "removed")
    _rename_model(project, "statsig_orders", "statsig_paid_orders")
    edit_source(project, "statsig_paid_orders", _source_name("statsig_orders"))
    found["renamed"] = _build(project, workdir / "renamed")
    edit_source(project, "statsig_paid_orders", _source_name("paid_orders"))
    found["new_name"] = _build(project, workdir / "new_name")
    return found


def _build(project: DbtProject, keep: Path) -> Path:
    """`dbt build`: every model must build (the project's own data tests may fail, as they do there)."""
    result = project.invoke("build", "--target", "dev")
    assert result.result is not None, result.exception
    models = [item for item in result.result.results if item.node.unique_id.startswith("model.")]
    assert all(str(item.status) == "success" for item in models), [item.message for item in models]
    shutil.copytree(project.project_dir / "target", keep)
    return keep


def _delete_model(project: DbtProject, model: str) -> None:
    (project.project_dir / "models" / "statsig" / f"{model}.sql").unlink()
    path = project.project_dir / SOURCES
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["models"] = [entry for entry in document["models"] if entry["name"] != model]
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _rename_model(project: DbtProject, old: str, new: str) -> None:
    folder = project.project_dir / "models" / "statsig"
    (folder / f"{old}.sql").rename(folder / f"{new}.sql")
    edit_source(project, old, lambda entry: entry.update({"name": new}))


def _source_name(name: str) -> Any:
    return lambda entry: entry["config"]["meta"]["statsig"].update({"source_name": name})


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


def run(fake: FakeStatsig, target: Path, *args: str) -> Result:
    environment = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = [*args, "--manifest", str(target / "manifest.json")]
    return CliRunner().invoke(main, command, env=environment, catch_exceptions=False)


def _registered(fake: FakeStatsig, stages: dict[str, Path]) -> None:
    applied = run(fake, stages["merged"], "apply", "--yes", "--allow-non-production")
    assert applied.exit_code == 0, applied.output
    assert sorted(fake.sources) == ["statsig_order_totals", "statsig_orders"]


def _plan(fake: FakeStatsig, target: Path, *args: str) -> tuple[Result, dict[str, dict[str, Any]]]:
    result = run(fake, target, "plan", "--format", "json", *args)
    return result, {item["name"]: item for item in json.loads(result.stdout)["items"]}


def test_deleting_a_model_a_live_metric_reads_fails_the_pull_request_plan(
    fake: FakeStatsig, stages: dict[str, Path]
) -> None:
    _registered(fake, stages)
    fake.seed_metrics(
        [make_metric("Order Totals", "statsig_order_totals", aggregation="sum", valueColumn="value")]
    )
    fake.seed_experiments(
        [
            {
                "id": "free_shipping",
                "name": "Free shipping",
                "primaryMetrics": [{"name": "Order Totals", "type": "user_warehouse"}],
            }
        ]
    )
    result = run(fake, stages["removed"], "plan", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    assert (
        "| ! | blocked | `statsig_order_totals` | removed from dbt while Statsig metrics read it: "
        "metric Order Totals (Order Totals::user_warehouse), used by running experiment Free shipping "
        "(free_shipping); "
        "retire those metrics first (docs/registration.md#removing-or-renaming-a-source), or pass --force "
        "to remove it from dbt anyway |"
    ) in result.stdout.splitlines()
    applied = run(fake, stages["removed"], "apply", "--yes", "--prune", "--allow-non-production")
    assert applied.exit_code == 1
    assert "blocked: statsig_order_totals: removed from dbt while Statsig metrics read it" in applied.stdout
    assert "statsig_order_totals" in fake.sources
    assert fake.count("DELETE") == 0


def test_deleting_a_model_no_metric_reads_is_an_orphan_as_before(
    fake: FakeStatsig, stages: dict[str, Path]
) -> None:
    _registered(fake, stages)
    result, items = _plan(fake, stages["removed"], "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert (items["statsig_order_totals"]["action"], items["statsig_order_totals"]["readers"]) == (
        "orphaned",
        [],
    )
    pruned = run(fake, stages["removed"], "apply", "--yes", "--prune", "--allow-non-production")
    assert pruned.exit_code == 0, pruned.output
    assert sorted(fake.sources) == ["statsig_orders"]


def test_renaming_a_model_that_keeps_its_source_name_is_at_most_an_update(
    fake: FakeStatsig, stages: dict[str, Path]
) -> None:
    _registered(fake, stages)
    fake.seed_metrics(
        [make_metric("Order Discount", "statsig_orders", aggregation="sum", valueColumn="discount")]
    )
    result, items = _plan(fake, stages["renamed"])
    assert result.exit_code == 0, result.output
    orders = items["statsig_orders"]
    assert orders["action"] == "update"
    assert [change["field"] for change in orders["changes"]] == ["sql"]
    assert "statsig_paid_orders" in orders["payload"]["sql"]
    assert orders["affected_metrics"] == ["Order Discount"]
    assert "statsig_paid_orders" not in items  # no new source: Statsig knows it by its source name


def test_a_new_source_name_creates_a_source_and_blocks_the_old_while_metrics_read_it(
    fake: FakeStatsig, stages: dict[str, Path]
) -> None:
    _registered(fake, stages)
    fake.seed_metrics(
        [make_metric("Order Discount", "statsig_orders", aggregation="sum", valueColumn="discount")]
    )
    result = run(fake, stages["new_name"], "plan")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "+ create paid_orders" in lines
    assert "! blocked statsig_orders" in lines
    assert (
        "    removed from dbt while Statsig metrics read it: metric Order Discount "
        "(Order Discount::user_warehouse); retire those metrics first "
        "(docs/registration.md#removing-or-renaming-a-source), or pass --force to remove it from dbt anyway"
    ) in lines
    # The documented move: create the new source keeping the old, repoint the metric, then prune.
    forced = run(fake, stages["new_name"], "apply", "--yes", "--force", "--allow-non-production")
    assert forced.exit_code == 0, forced.output
    assert {"paid_orders", "statsig_orders"} <= set(fake.sources)
    native = {"aggregation": "sum", "metricSourceName": "paid_orders", "valueColumn": "discount"}
    with StatsigClient(KEY, base_url=fake.url) as console:  # as someone would in Statsig's console
        console.update_metric("Order Discount::user_warehouse", {"warehouseNative": native})
    pruned = run(fake, stages["new_name"], "apply", "--yes", "--prune", "--allow-non-production")
    assert pruned.exit_code == 0, pruned.output
    assert sorted(fake.sources) == ["paid_orders"]


def test_a_statsig_that_keeps_less_than_was_written_is_named_in_the_ci_log(
    fake: FakeStatsig, stages: dict[str, Path]
) -> None:
    """The reported log ended `Applied: 2 write(s).` with exit 1; now each drifted source is listed
    after the read-back, with the field Statsig dropped."""
    fake.on_store = lambda stored: {**stored, "description": ""}
    result = run(fake, stages["merged"], "apply", "--yes", "--allow-non-production")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "Applied: 2 write(s), but 2 drifted (listed above), so apply exits 1."
    assert "drifted: create statsig_orders: Statsig dropped or changed description" in lines
    assert '    description: sent "Paid orders, for revenue and discount metrics.", Statsig holds ""' in lines
