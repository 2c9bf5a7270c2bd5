"""`reload` after a run whose on-run-end check found governed views missing (the package's hook,
macros/governed_views_check.sql): it reads which from run_results.json, never asks Statsig for a load
that would read one, names what it left out, and loads an experiment that also reads a present source
for that source's metrics only (`refresh=metric`, even after a full refresh)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import run_results_document
from reload_support import GENERATED_AT, manifest_document, refs, seed_statsig
from support import KEY

from statsig_sources.artifacts.run_results import MissingViews, NodeResult, missing_views
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig

RESTORE = "dbt build --select fct_sessions+ --target prod"
HOOK = "operation.statsig_sources.statsig_sources-on-run-end-1"


def hook_message(*views: str, restore: str = RESTORE) -> str:
    """The hook's message as dbt records it on PostgreSQL: dbt's words, the package's error, the marker,
    then the line PostgreSQL adds."""
    marker = json.dumps({"views": list(views), "restore": restore})
    return (
        "statsig_sources.on-run-end.1 failed, error:\n statsig_sources: this run left 1 governed relation(s) "
        "missing that existed when it started, and Statsig cannot read them until they are rebuilt:\n"
        f"  - {views[0]}: dropped with fct_sessions, which the run replaced\nRebuild them: {restore}\n"
        f"statsig_sources:missing_views={marker}\n"
        "CONTEXT:  PL/pgSQL function inline_code_block line 1 at RAISE"
    )


# `dbt build --full-refresh --select fct_purchases+ fct_sessions`: fct_sessions was replaced, which
# dropped the sessions view (statsig_sessions was not selected), and the check failed the run.
STATUSES = {
    "model.shop.fct_purchases": "success",
    "model.shop.statsig_purchases": "success",
    "model.shop.fct_sessions": "success",
    "operation.statsig_sources.statsig_sources-on-run-end-0": "success",
    HOOK: "error",
}
# Beside reload_support's experiments: one on a purchases metric and on the ratio over sessions.
MIXED = {"id": "exp_mixed", "primaryMetrics": refs("Purchase Revenue", "Items per Session")}


def write(directory: Path, message: str, *, full_refresh: bool = True) -> Path:
    target = directory / "target"
    target.mkdir(parents=True, exist_ok=True)
    data = manifest_document()
    (target / "manifest.json").write_text(json.dumps(data))
    document = run_results_document(data, STATUSES, generated_at=GENERATED_AT, target="prod")
    for result in document["results"]:
        if result["unique_id"] == HOOK:
            result["message"] = message
    document["args"]["full_refresh"] = full_refresh
    (target / "run_results.json").write_text(json.dumps(document))
    return directory


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = ["reload", "--project-dir", str(project), *args]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def loads(fake: FakeStatsig) -> dict[str, tuple[str, list[str]]]:
    return {load.experiment_id: (load.refresh, list(load.metric_ids)) for load in fake.loads}


@pytest.fixture
def statsig(fake: FakeStatsig) -> FakeStatsig:
    seed_statsig(fake)
    fake.seed_experiments([MIXED])
    return fake


def test_no_load_reads_a_missing_view_and_a_mixed_experiment_loads_the_present_source_s_metrics(
    statsig: FakeStatsig, tmp_path: Path
) -> None:
    project = write(tmp_path, hook_message("statsig_staging.statsig_sessions"))
    result = invoke(statsig, project, "--format", "json")
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    sessions = next(source for source in report["sources"] if source["name"] == "sessions")
    assert sessions == {
        "name": "sessions",
        "model": "statsig_sessions",
        "node_id": "model.shop.statsig_sessions",
        "status": "missing",
        "reloaded": False,
        "relation": "statsig_staging.statsig_sessions",
        "restore": RESTORE,
    }
    # The full refresh loads everything of an experiment on purchases alone; the one that also reads
    # the ratio over sessions loads Purchase Revenue only, by metric; the ratio's own is skipped.
    assert loads(statsig) == {
        "exp_hidden": ("full", []),
        "exp_mixed": ("metric", ["Purchase Revenue::user_warehouse"]),
        "exp_revenue": ("full", []),
        "exp_tagged": ("full", []),
    }
    by_id = {experiment["id"]: experiment for experiment in report["experiments"]}
    assert by_id["exp_mixed"]["held_back_metric_ids"] == ["Items per Session::user_warehouse"]
    assert (by_id["exp_ratio"]["outcome"], by_id["exp_ratio"]["message"]) == (
        "skipped",
        "its metrics read only sources whose view the run left missing (sessions)",
    )
    assert report["run"]["missing_views"] == ["statsig_staging.statsig_sessions"]
    assert report["run"]["missing_elsewhere"] == []


def test_the_text_report_names_the_missing_view_the_command_that_rebuilds_it_and_what_it_skipped(
    statsig: FakeStatsig, tmp_path: Path
) -> None:
    project = write(tmp_path, hook_message("statsig_staging.statsig_sessions"), full_refresh=False)
    result = invoke(statsig, project, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "Not reloaded: sessions (statsig_sessions): the run left its view statsig_staging.statsig_sessions "
        f"missing: `{RESTORE}` rebuilds it."
    ) in lines
    assert (
        "skipped: exp_ratio: its metrics read only sources whose view the run left missing (sessions)"
        in lines
    )
    assert "would request: exp_mixed (refresh=metric: Purchase Revenue::user_warehouse)" in lines
    assert statsig.loads == []


def test_a_missing_relation_no_source_builds_is_named_and_reloads_nothing_less(
    statsig: FakeStatsig, tmp_path: Path
) -> None:
    """A source renamed since Statsig registered it: its old view is gone, and no source of the
    manifest builds it; reload says so, and the sources that are there load as usual."""
    project = write(
        tmp_path, hook_message("statsig_staging.statsig_old_sessions", restore=""), full_refresh=False
    )
    result = invoke(statsig, project, "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "Missing after the run: statsig_staging.statsig_old_sessions, which no metric source of the manifest "
        "builds (a source renamed or removed since Statsig registered it)."
    ) in result.output.splitlines()
    assert "would request: exp_ratio (refresh=metric: Items per Session::user_warehouse)" in result.output


@pytest.mark.parametrize(
    ("unique_id", "status", "message", "expected"),
    [
        (HOOK, "error", hook_message("s.v", "S.W"), MissingViews(("s.v", "s.w"), RESTORE)),
        (HOOK, "success", hook_message("s.v"), MissingViews()),
        ("model.shop.m", "error", hook_message("s.v"), MissingViews()),
        (HOOK, "error", "statsig_sources:missing_views={not json", MissingViews()),
        (HOOK, "error", 'statsig_sources:missing_views=["s.v"]', MissingViews()),
        (HOOK, "error", "relation does not exist", MissingViews()),
    ],
    ids=["the-hook-s-error", "a-hook-that-passed", "a-model", "not-json", "not-an-object", "no-marker"],
)
def test_only_a_failed_hook_s_marker_names_missing_views(
    unique_id: str, status: str, message: str, expected: MissingViews
) -> None:
    assert missing_views({unique_id: NodeResult(status, message)}) == expected
