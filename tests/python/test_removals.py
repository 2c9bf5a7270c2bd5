"""Removals are breaking changes: a source that leaves dbt while Statsig metrics read it is blocked in
`plan` and `apply`, naming each metric and each running experiment that uses it, in every format;
`--force` lets it through; renames are shown as what they are in Statsig. Against the stand-in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from manifest_fixtures import read_fixture, run_results_document
from support import source
from test_register_cli import PROJECT_MARKER, desired, invoke

from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.standin import FakeStatsig, make_metric

GONE = "statsig_customers"  # registered by an earlier apply, its model since deleted from dbt
KEPT = "statsig_purchases"  # the fixture's one source
BLOCKED = (
    "removed from dbt while Statsig metrics read it: metric Customers (Customers::user_warehouse), used "
    "by running experiment One-click checkout (one_click_checkout); retire those metrics first "
    "(docs/registration.md#removing-or-renaming-a-source), or pass --force to remove it from dbt anyway"
)


def refs(*names: str) -> list[dict[str, str]]:
    return [{"name": name, "type": "user_warehouse"} for name in names]


def seed_removed_source(fake: FakeStatsig, *metrics: dict[str, Any], experiments: Any = None) -> None:
    """Statsig after the merge that registered GONE: the source, a console metric reading it, and a
    running experiment (plus a stopped one) with that metric as its primary metric."""
    fake.seed_sources([managed_payload(source(GONE), PROJECT_MARKER)])
    fake.seed_metrics(metrics or [make_metric("Customers", GONE)])
    fake.seed_experiments(
        experiments
        if experiments is not None
        else [
            {"id": "one_click_checkout", "name": "One-click checkout", "primaryMetrics": refs("Customers")},
            {"id": "old_test", "status": "decision_made", "primaryMetrics": refs("Customers")},
        ]
    )


def test_a_pull_request_deleting_a_source_live_metrics_read_fails_the_plan_check(
    fake: FakeStatsig, project: Path
) -> None:
    """The reported case: `plan --format markdown --detailed-exitcode` exited 0 with one "orphaned" line."""
    seed_removed_source(fake)
    result = invoke(fake, project, "plan", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert (
        f"**Blocked: source `{GONE}`.** `apply` leaves it as Statsig holds it and exits 1, so this plan "
        "fails CI."
    ) in lines
    assert f"| ! | blocked | `{GONE}` | {BLOCKED} |" in lines
    assert "old_test" not in result.stdout  # not running: Statsig no longer computes its results
    assert fake.mutations == 0


def test_the_text_plan_names_the_metric_and_the_experiment(fake: FakeStatsig, project: Path) -> None:
    seed_removed_source(fake)
    result = invoke(fake, project, "plan")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        f"Statsig metric sources (marker {PROJECT_MARKER}): 1 to create, 0 to update, 0 unchanged, "
        "0 orphaned, 1 blocked.",
        f"! blocked {GONE}",
        f"    {BLOCKED}",
        f"+ create {KEPT}",
    ]


def test_the_json_plan_carries_each_reader_and_its_experiments(fake: FakeStatsig, project: Path) -> None:
    seed_removed_source(fake)
    result = invoke(fake, project, "plan", "--format", "json")
    assert result.exit_code == 1
    [item] = [item for item in json.loads(result.stdout)["items"] if item["name"] == GONE]
    assert (item["action"], item["reason"], item["payload"]) == ("blocked", BLOCKED, None)
    assert item["readers"] == [
        {
            "metric_id": "Customers::user_warehouse",
            "metric_name": "Customers",
            "leaving": False,
            "breaks": True,
            "experiments": [{"id": "one_click_checkout", "name": "One-click checkout"}],
        }
    ]


def test_apply_blocks_the_removal_and_still_writes_everything_else(fake: FakeStatsig, project: Path) -> None:
    seed_removed_source(fake)
    result = invoke(fake, project, "apply", "--yes", "--prune")
    assert result.exit_code == 1
    assert f"blocked: {GONE}: {BLOCKED}" in result.stdout.splitlines()
    assert f"done: create {KEPT}" in result.stdout.splitlines()
    assert sorted(fake.sources) == [GONE, KEPT]  # the new source is written, the removed one kept
    assert fake.count("DELETE") == 0


def test_force_lets_the_removal_through_and_prune_keeps_its_meaning(fake: FakeStatsig, project: Path) -> None:
    seed_removed_source(fake)
    fake.seed_sources(desired(project))
    planned = invoke(fake, project, "plan", "--force", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.splitlines()[2:4] == [
        f"- orphaned {GONE}",
        "    carries the marker but is no longer declared in dbt; forced: Statsig metrics read it: metric "
        "Customers (Customers::user_warehouse), used by running experiment One-click checkout "
        "(one_click_checkout)",
    ]
    applied = invoke(fake, project, "apply", "--yes", "--force")
    assert applied.exit_code == 0, applied.output
    assert f"kept: orphaned {GONE}" in applied.stdout.splitlines()
    pruned = invoke(fake, project, "apply", "--yes", "--force", "--prune")
    assert pruned.exit_code == 1
    assert f"blocked: orphaned {GONE}: not deleted: used by 1 metric(s): Customers" in pruned.stdout
    assert GONE in fake.sources


def _ours(name: str, **fields: Any) -> dict[str, Any]:
    """A metric declared in dbt and registered by an earlier apply: it carries the marker."""
    return {**make_metric(name, GONE, **fields), "tags": [PROJECT_MARKER]}


def test_a_declared_metric_leaving_with_its_source_breaks_nothing(fake: FakeStatsig, project: Path) -> None:
    seed_removed_source(fake, _ours("Customers"), experiments=[])
    fake.seed_sources(desired(project))
    result = invoke(fake, project, "plan", "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    items = {item["name"]: item for item in json.loads(result.stdout)["items"]}
    assert (items[GONE]["action"], items["Customers"]["action"]) == ("orphaned", "orphaned")
    assert items[GONE]["reason"] == "carries the marker but is no longer declared in dbt"
    assert [(r["metric_id"], r["leaving"], r["breaks"]) for r in items[GONE]["readers"]] == [
        ("Customers::user_warehouse", True, False)
    ]


def test_a_declared_metric_a_running_experiment_uses_blocks_its_source_s_removal(
    fake: FakeStatsig, project: Path
) -> None:
    experiment = {"id": "pricing", "name": "Pricing page", "secondaryMetrics": refs("Customers")}
    seed_removed_source(fake, _ours("Customers"), experiments=[experiment])
    result = invoke(fake, project, "plan")
    assert result.exit_code == 1
    assert (
        "    removed from dbt while Statsig metrics read it: metric Customers (Customers::user_warehouse), "
        "declared in dbt and leaving with it, used by running experiment Pricing page (pricing); retire"
    ) in result.stdout


def test_an_experiment_that_picks_metrics_by_tag_is_named(fake: FakeStatsig, project: Path) -> None:
    tagged = make_metric("Customers", GONE)
    tagged["tags"] = ["north-star"]
    by_tag = {"id": "homepage", "primaryMetricTags": ["north-star"]}  # no name: Statsig's is its id
    other = make_metric("Visits", GONE)
    seed_removed_source(fake, tagged, other, experiments=[by_tag])
    result = invoke(fake, project, "plan", "--format", "markdown")
    assert result.exit_code == 1
    assert (
        "removed from dbt while Statsig metrics read it: metric Customers (Customers::user_warehouse), used "
        "by running experiment homepage; metric Visits (Visits::user_warehouse); retire"
    ) in result.stdout


def test_the_experiments_are_read_only_when_a_removed_source_has_a_reader(
    fake: FakeStatsig, project: Path
) -> None:
    fake.seed_sources([managed_payload(source(GONE), PROJECT_MARKER)])
    result = invoke(fake, project, "plan")
    assert result.exit_code == 0
    assert f"- orphaned {GONE}" in result.stdout
    assert fake.count("GET", "/experiments") == 0
    fake.seed_metrics([make_metric("Customers", GONE)])
    assert invoke(fake, project, "plan").exit_code == 1
    assert fake.count("GET", "/experiments") == 1


# --- renames ----------------------------------------------------------------------------------------


def _write(project: Path, manifest: dict[str, Any]) -> Path:
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "manifest.json").write_text(json.dumps(manifest))
    (project / "target" / "run_results.json").write_text(json.dumps(run_results_document(manifest)))
    return project


def _renamed(manifest: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The model `old` renamed `new` (its file, node id and relation), its declaration unchanged."""
    text = json.dumps(manifest).replace(old, new)
    renamed: dict[str, Any] = json.loads(text)
    return renamed


def _registered(fake: FakeStatsig, project: Path) -> None:
    applied = invoke(fake, project, "apply", "--yes")
    assert applied.exit_code == 0, applied.output


def test_a_model_renamed_with_the_same_source_name_is_at_most_an_update(
    fake: FakeStatsig, tmp_path: Path
) -> None:
    manifest = read_fixture("valid/metrics_across_sources.json")
    _registered(fake, _write(tmp_path, manifest))
    fake.seed_metrics([make_metric("Purchases", "purchases")])
    before = dict(fake.sources)
    _write(tmp_path, _renamed(manifest, "statsig_purchases", "statsig_orders"))
    result = invoke(fake, tmp_path, "plan", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(i["action"], i["name"]) for i in report["items"] if i["kind"] == "source"] == [
        ("update", "purchases"),
        ("unchanged", "sessions"),
    ]
    [update] = [i for i in report["items"] if i["name"] == "purchases"]
    # Only what the rename changes in Statsig: the relation the SQL reads. No create, no orphan.
    assert [change["field"] for change in update["changes"]] == ["sql"]
    assert "statsig_orders" in update["payload"]["sql"]
    assert sorted(fake.sources) == sorted(before)


def test_a_changed_source_name_is_a_new_source_and_a_blocked_removal_of_the_old(
    fake: FakeStatsig, tmp_path: Path
) -> None:
    manifest = read_fixture("valid/metrics_across_sources.json")
    _registered(fake, _write(tmp_path, manifest))
    fake.seed_metrics([make_metric("Purchases", "purchases", aggregation="sum", valueColumn="value")])
    fake.seed_experiments([{"id": "checkout", "name": "Checkout", "primaryMetrics": refs("Purchases")}])
    node = manifest["nodes"]["model.shop.statsig_purchases"]
    node["config"]["meta"]["statsig"]["source_name"] = "orders"
    _write(tmp_path, manifest)
    result = invoke(fake, tmp_path, "plan", "--format", "json")
    assert result.exit_code == 1
    items = {(i["kind"], i["name"]): i for i in json.loads(result.stdout)["items"]}
    assert items["source", "orders"]["action"] == "create"
    old = items["source", "purchases"]
    assert old["action"] == "blocked"
    # The metric made in Statsig still reads the old source; those declared in dbt move with it.
    assert [(r["metric_id"], r["breaks"]) for r in old["readers"]] == [("Purchases::user_warehouse", True)]
    assert old["readers"][0]["experiments"] == [{"id": "checkout", "name": "Checkout"}]
    moved = items["metric", "Order revenue"]
    assert (moved["action"], moved["changes"][0]["field"]) == ("update", "warehouseNative.metricSourceName")
    assert (moved["changes"][0]["before"], moved["changes"][0]["after"]) == ("purchases", "orders")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_every_format_names_the_metric_and_the_experiment(fake: FakeStatsig, project: Path, fmt: str) -> None:
    seed_removed_source(fake)
    result: Result = invoke(fake, project, "plan", "--format", fmt)
    assert result.exit_code == 1
    for text in ("Customers::user_warehouse", "Customers", "one_click_checkout", "One-click checkout"):
        assert text in result.stdout, fmt
