"""Saved plans against the stand-in: `plan --out FILE` writes what was reviewed, `apply --plan FILE`
applies exactly that, or refuses (exit 1, nothing written) naming what changed in Statsig or in the
project since; the file holds no key; a file that is not such a plan exits 2 (test_saved_plan_files.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import run_results_document
from support import KEY

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, make_metric

FIXTURE = "valid/metrics_across_sources.json"
PURCHASES = "model.shop.statsig_purchases"
SESSIONS = "model.shop.statsig_sessions"


def invoke(fake: FakeStatsig, project: Path, *args: str, key: str = KEY) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": key}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env, catch_exceptions=False)


def edit_manifest(project: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = project / "target" / "manifest.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def declaration(data: dict[str, Any], node: str) -> dict[str, Any]:
    found: dict[str, Any] = data["nodes"][node]["config"]["meta"]["statsig"]
    return found


@pytest.fixture
def registered(fake: FakeStatsig, dbt_project: Callable[..., Path]) -> Path:
    """The fixture registered in the stand-in; then a pull request edits the purchases' description."""
    project = dbt_project(FIXTURE)
    applied = invoke(fake, project, "apply", "--yes")
    assert applied.exit_code == 0, applied.output
    edit_manifest(project, lambda data: declaration(data, PURCHASES).update(description="Net purchases."))
    return project


def planned(fake: FakeStatsig, project: Path) -> tuple[Path, dict[str, Any]]:
    """`plan --out`, which writes the file beside the plan it prints; the requests it made are cleared."""
    path = project / "statsig-plan.json"
    result = invoke(fake, project, "plan", "--out", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Saved the plan to {path}: `apply --plan {path}` applies exactly it.\n"
    report = json.loads(result.stdout)
    saved = json.loads(path.read_text())
    assert [(i["kind"], i["action"], i["name"]) for i in saved["items"]] == [
        (i["kind"], i["action"], i["name"]) for i in report["items"]
    ]
    return path, saved


def writes(fake: FakeStatsig, since: int) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in fake.requests[since:] if r.method != "GET"]


def test_the_saved_plan_holds_the_payloads_the_remote_fields_they_keep_and_fingerprints(
    fake: FakeStatsig, registered: Path
) -> None:
    fake.seed_sources([{**fake.sources["purchases"], "datePartitionColumn": "purchased_on"}])
    path, saved = planned(fake, registered)
    assert (saved["format"], saved["format_version"], saved["statsig_sources_version"]) == (
        "statsig-sources plan",
        1,
        __version__,
    )
    [update] = [item for item in saved["items"] if item["action"] == "update"]
    assert update["name"] == "purchases"
    assert update["payload"]["description"] == "Net purchases."
    assert update["payload"]["datePartitionColumn"] == "purchased_on"  # kept from Statsig
    assert update["changes"] == [
        {"field": "description", "before": "Purchases, net of refunds.", "after": "Net purchases."}
    ]
    # Every object the plan read, changed or not, with a digest per compared field.
    assert sorted(saved["statsig"]["source"]) == ["purchases", "sessions"]
    assert sorted(saved["statsig"]["metric"]) == sorted(fake.metrics) and len(fake.metrics) == 3
    assert "datePartitionColumn" in saved["statsig"]["source"]["purchases"]
    assert (
        "warehouseNative.metricSourceName" in saved["statsig"]["metric"]["Sessions per user::user_warehouse"]
    )
    assert sorted(saved["declarations"]["source"]) == ["purchases", "sessions"]


def test_an_unchanged_world_applies_exactly_the_plan_s_writes(fake: FakeStatsig, registered: Path) -> None:
    path, saved = planned(fake, registered)
    before = len(fake.requests)
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith(f"{path} still holds: Statsig and the project are as it")
    [update] = [item for item in saved["items"] if item["action"] == "update"]
    body = {key: value for key, value in update["payload"].items() if key != "name"}
    assert writes(fake, before) == [("POST", "/console/v1/metrics/metric_source/purchases", body)]
    assert result.stdout.endswith("done: update purchases\nApplied: 1 write(s).\n")


def test_an_analyst_s_edit_of_a_source_the_plan_leaves_alone_refuses_it(
    fake: FakeStatsig, registered: Path
) -> None:
    path, _ = planned(fake, registered)
    fake.seed_sources([{**fake.sources["sessions"], "description": "Edited in the console."}])
    before = len(fake.requests)
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path))
    assert (result.exit_code, writes(fake, before)) == (1, [])
    assert result.stderr.startswith(f"Error: apply refused, nothing was written: {path} no longer matches")
    assert "  - source `sessions` changed in Statsig: description\n" in result.stderr
    assert result.stderr.endswith(
        f"Plan again (`statsig-sources plan --out {path}`), review it, and apply that plan.\n"
    )


def test_a_metric_that_appears_on_a_source_refuses_it(fake: FakeStatsig, registered: Path) -> None:
    path, _ = planned(fake, registered)
    fake.seed_metrics([make_metric("Refunds", "purchases", aggregation="sum", valueColumn="value")])
    before = len(fake.requests)
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path))
    assert (result.exit_code, writes(fake, before)) == (1, [])
    assert "\n  - metric `Refunds::user_warehouse` appeared in Statsig\n" in result.stderr


def test_a_metric_s_cap_set_in_the_console_refuses_it_naming_the_field(
    fake: FakeStatsig, registered: Path
) -> None:
    path, _ = planned(fake, registered)
    [metric] = [m for m in fake.state.metrics if m["name"] == "Sessions per user"]
    metric["warehouseNative"] = {**metric["warehouseNative"], "cap": 10}
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path))
    assert result.exit_code == 1
    assert (
        "  - metric `Sessions per user::user_warehouse` changed in Statsig: warehouseNative.cap\n"
        in result.stderr
    )


def test_server_metadata_alone_does_not_make_the_plan_stale(fake: FakeStatsig, registered: Path) -> None:
    path, _ = planned(fake, registered)
    for metric in fake.state.metrics:
        metric.update(lastModifiedTime=fake.now_ms(), lastModifierName="An analyst", createdTime=1)
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path))
    assert result.exit_code == 0, result.output
    assert "still holds" in result.stdout


def test_a_changed_project_refuses_it_naming_the_declaration(fake: FakeStatsig, registered: Path) -> None:
    path, _ = planned(fake, registered)

    def edit(data: dict[str, Any]) -> None:
        declaration(data, SESSIONS)["description"] = "Sessions, from the app."
        data["nodes"][SESSIONS]["config"]["meta"]["statsig"]["metrics"].append(
            {"name": "Long sessions", "aggregation": "count"}
        )

    edit_manifest(registered, edit)
    before = len(fake.requests)
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path))
    assert (result.exit_code, writes(fake, before)) == (1, [])
    assert "  - metric `Long sessions` is newly declared\n" in result.stderr
    assert "  - the declaration of source `sessions` changed: description\n" in result.stderr


def test_apply_plan_runs_apply_s_checks_on_the_current_artifacts(fake: FakeStatsig, registered: Path) -> None:
    """The plan was made on a pull request's `dbt parse`; the merge's build failed for one source."""
    path, _ = planned(fake, registered)
    manifest = json.loads((registered / "target" / "manifest.json").read_text())
    statuses = {node: "success" for node in manifest["nodes"]} | {PURCHASES: "error"}
    results = run_results_document(manifest, statuses)
    (registered / "target" / "run_results.json").write_text(json.dumps(results))
    before = len(fake.requests)
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path))
    assert (result.exit_code, fake.requests[before:]) == (1, [])
    assert "error: [build_status] model.shop.statsig_purchases" in result.stdout
    assert result.stdout.endswith("apply refused: no request was sent to Statsig.\n")


def test_a_plan_made_for_a_development_build_is_refused_like_apply(
    fake: FakeStatsig, dbt_project: Callable[..., Path]
) -> None:
    project = dbt_project("valid/duckdb_developer_schema.json")
    path = project / "plan.json"
    assert invoke(fake, project, "plan", "--out", str(path)).exit_code == 0
    result = invoke(fake, project, "apply", "--yes", "--plan", str(path))
    assert (result.exit_code, fake.mutations) == (1, 0)
    assert "\nError: apply refused, no request was sent to Statsig: metric sources are built" in result.stderr
    allowed = invoke(fake, project, "apply", "--yes", "--plan", str(path), "--allow-non-production")
    assert allowed.exit_code == 0, allowed.output


@pytest.mark.parametrize("option", [("--adopt", "purchases"), ("--take-over", "purchases"), ("--force",)])
def test_the_options_that_shape_a_plan_are_the_plan_s_own(
    fake: FakeStatsig, registered: Path, option: tuple[str, ...]
) -> None:
    path, _ = planned(fake, registered)
    before = len(fake.requests)
    result = invoke(fake, registered, "apply", "--yes", "--plan", str(path), *option)
    assert (result.exit_code, fake.requests[before:]) == (2, [])
    assert (
        f"Error: {option[0]} shape a plan: pass them to `plan --out`, not with `apply --plan`."
        in result.stderr
    )


def test_a_blocked_item_is_saved_with_its_reason_and_applying_writes_the_rest(
    fake: FakeStatsig, dbt_project: Callable[..., Path]
) -> None:
    project = dbt_project(FIXTURE)
    fake.seed_sources([{"name": "sessions", "sql": "select 1", "timestampColumn": "ts", "idTypeMapping": []}])
    path = project / "plan.json"
    result = invoke(fake, project, "plan", "--out", str(path))
    assert result.exit_code == 1
    saved = json.loads(path.read_text())
    blocked = {item["name"]: item["reason"] for item in saved["items"] if item["action"] == "blocked"}
    assert blocked["sessions"] == (
        "a source named 'sessions' exists in Statsig without the marker 'managed-by:statsig-sources:shop'; "
        "pass --adopt 'sessions' to manage it"
    )
    applied = invoke(fake, project, "apply", "--yes", "--plan", str(path))
    assert applied.exit_code == 1
    assert "done: create purchases" in applied.stdout and "blocked: sessions" in applied.stdout
    assert "sessions" not in [r.path.rsplit("/", 1)[-1] for r in fake.requests if r.method == "POST"]


def test_the_file_holds_no_key_even_when_statsig_echoes_it(fake: FakeStatsig, registered: Path) -> None:
    fake.seed_sources([{**fake.sources["sessions"], "description": f"pasted {KEY} here"}])
    path, _ = planned(fake, registered)
    data = path.read_bytes()
    assert KEY.encode() not in data and KEY.lower().encode() not in data.lower()
    assert fake.url.encode() not in data  # nor where Statsig is
