"""Registering the unfriendly consumer (tests/fixtures/unfriendly_project, with its sources fixed to
build) against the loopback fake Statsig: its only target is a developer's, its catalog goes stale,
and a pull request removes a column a live metric reads. Each used to pass silently."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from dbt_harness import DbtProject
from unfriendly_support import drop_measure, edit_source, unfriendly_project

from statsig_sources import __version__
from statsig_sources.artifacts.paths import NOTICES_FILE
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, make_metric

pytestmark = pytest.mark.dbt

KEY = "console-UNFRIENDLY42"
SOURCES = ["statsig_order_totals", "statsig_orders"]
BLOCKED = "would break live metrics: Order Discount uses discount (removed); pass --force to apply anyway"


@pytest.fixture(scope="module")
def stages(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The team's history, as artifacts: `merged` is built on `dev` with a catalog generated after the
    build; `pull_request` drops the `discount` measure and rebuilds, leaving that catalog behind."""
    workdir = tmp_path_factory.mktemp("unfriendly_registration")
    project = unfriendly_project(workdir, repo_root, views=True)
    edit_source(project, "statsig_order_totals", drop_measure("total_order_amount"))
    edit_source(
        project,
        "statsig_order_totals",
        lambda entry: entry["config"]["meta"]["statsig"].update({"value": "amount"}),
    )
    edit_source(project, "statsig_order_totals", lambda entry: entry["columns"].append({"name": "value"}))
    _dbt(project, "build", "--target", "dev")
    _dbt(project, "docs", "generate", "--no-compile", "--target", "dev")
    merged = workdir / "merged"
    shutil.copytree(project.project_dir / "target", merged)
    edit_source(project, "statsig_orders", drop_measure("discount"))
    _dbt(project, "build", "--target", "dev")
    return {"project": project, "merged": merged, "pull_request": project.project_dir / "target"}


def _dbt(project: DbtProject, *args: str) -> None:
    """Runs dbt; every model it ran must have built."""
    result = project.invoke(*args)
    assert result.success or result.result is not None, result.exception
    results = getattr(result.result, "results", [])  # docs generate answers with a catalog
    models = [item for item in results if item.node.unique_id.startswith("model.")]
    assert all(str(item.status) == "success" for item in models), [item.message for item in models]


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


def run(fake: FakeStatsig, target: Path, *args: str, **env: str) -> Result:
    environment = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY, **env}
    command = [*args, "--manifest", str(target / "manifest.json")]
    return CliRunner().invoke(main, command, env=environment, catch_exceptions=False)


def _registered(fake: FakeStatsig, stages: dict[str, Any]) -> None:
    """What merging registered, and a live metric on a column of it."""
    applied = run(fake, stages["merged"], "apply", "--yes", "--allow-non-production")
    assert applied.exit_code == 0, applied.output
    fake.seed_metrics(
        [make_metric("Order Discount", "statsig_orders", aggregation="sum", valueColumn="discount")]
    )


def test_apply_refuses_to_register_a_developer_build(fake: FakeStatsig, stages: dict[str, Any]) -> None:
    result = run(fake, stages["merged"], "apply", "--yes")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Error: apply refused, no request was sent to Statsig: metric sources are built in "
        "`dbt_dev_statsig_staging`, not in the production governed schema `statsig_staging` (their target "
        "is not in statsig_production_targets), so registering them would point Statsig's experiments at "
        "a development build; run render, plan and apply on a production target's manifest, or let apply "
        "register them with --allow-non-production (STATSIG_SOURCES_ALLOW_NON_PRODUCTION=1).\n"
    )
    assert fake.requests == []
    allowed = run(fake, stages["merged"], "apply", "--yes", STATSIG_SOURCES_ALLOW_NON_PRODUCTION="1")
    assert allowed.exit_code == 0, allowed.output
    assert sorted(fake.sources) == SOURCES
    assert "dbt_dev_statsig_staging" in fake.sources["statsig_orders"]["sql"]


def test_validate_and_plan_warn_about_the_developer_build(fake: FakeStatsig, stages: dict[str, Any]) -> None:
    validated = run(fake, stages["merged"], "validate")
    planned = run(fake, stages["merged"], "plan")
    for result in (validated, planned):
        assert result.exit_code == 0, result.output
        assert (
            "warning: [governed_schema] metric sources are built in `dbt_dev_statsig_staging`, not in the "
            "production governed schema `statsig_staging`"
        ) in result.output


def test_every_report_starts_with_the_manifest_and_target_it_read(
    fake: FakeStatsig, stages: dict[str, Any]
) -> None:
    manifest = stages["pull_request"] / "manifest.json"
    generated = json.loads(manifest.read_text())["metadata"]["generated_at"]
    expected = (
        f"Read {manifest}: dbt project unfriendly_shop, adapter duckdb, generated "
        f"{generated[:10]} {generated[11:19]} UTC, target dev; "
        f"statsig-sources {__version__}."
    )
    _registered(fake, stages)
    for command in ("validate", "render", "plan", "apply", "usage"):
        extra = ("--output-dir", str(stages["pull_request"] / "rendered")) if command == "render" else ()
        result = run(fake, stages["pull_request"], command, *extra)
        assert result.stdout.splitlines()[0] == expected, command


def test_a_stale_catalog_is_named_and_does_not_refuse_the_plan(
    fake: FakeStatsig, stages: dict[str, Any]
) -> None:
    _registered(fake, stages)
    # The first command to read this manifest (earlier tests read it too, and it is said once per
    # manifest and target: the next plan does not repeat it).
    (stages["pull_request"] / NOTICES_FILE).unlink(missing_ok=True)
    result = run(fake, stages["pull_request"], "plan", "--force")
    assert result.exit_code == 0, result.output
    assert "catalog.json shows column `discount`" not in result.output
    [stale] = [line for line in result.stderr.splitlines() if line.startswith("warning: [declared_columns]")]
    assert stale.startswith("warning: [declared_columns] catalog.json (generated ")
    assert stale.endswith(
        "so it is stale and its columns were not compared; run `dbt docs generate --no-compile` after "
        "`dbt build` to refresh it"
    )
    assert "~ update statsig_orders" in result.stdout
    again = run(fake, stages["pull_request"], "plan", "--force")
    assert (again.exit_code, again.stdout) == (0, result.stdout)
    assert "warning: [declared_columns]" not in again.stderr


@pytest.mark.parametrize("options", [(), ("--detailed-exitcode",)], ids=["plain", "detailed-exitcode"])
def test_plan_fails_when_an_update_breaks_a_live_metric(
    fake: FakeStatsig, stages: dict[str, Any], options: tuple[str, ...]
) -> None:
    _registered(fake, stages)
    mutations = fake.mutations
    result = run(fake, stages["pull_request"], "plan", *options)
    assert result.exit_code == 1, result.output
    body = result.stdout.splitlines()[1:]
    assert body[:2] == [
        "Statsig metric sources (marker managed-by:statsig-sources:unfriendly_shop): 0 to create, "
        "0 to update, 1 unchanged, 0 orphaned, 1 blocked.",
        "! blocked statsig_orders",
    ]
    # The changed SQL as a unified diff: the removed column is one line.
    assert '    -  "discount"' in body
    assert [line for line in body if line.startswith("    +")] == ["    +++ sql (dbt)", '    +  "value"']
    assert f"    {BLOCKED}" in body
    assert fake.mutations == mutations


def test_markdown_plan_puts_the_blocked_source_first_and_names_the_metric(
    fake: FakeStatsig, stages: dict[str, Any]
) -> None:
    _registered(fake, stages)
    result = run(fake, stages["pull_request"], "plan", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "**Blocked: source `statsig_orders`.** `apply` leaves it as Statsig holds it and exits 1, so this "
        "plan fails CI."
    ) in lines
    rows = [line for line in lines if line.startswith("| ")]
    assert rows[1] == f"| ! | blocked | `statsig_orders` | {BLOCKED}; affects metrics: Order Discount |"


def test_apply_reports_the_blocked_source_once_and_writes_nothing_for_it(
    fake: FakeStatsig, stages: dict[str, Any]
) -> None:
    _registered(fake, stages)
    before = fake.sources["statsig_orders"]["sql"]
    result = run(fake, stages["pull_request"], "apply", "--yes", "--allow-non-production")
    assert result.exit_code == 1
    assert result.output.count(f"blocked: statsig_orders: {BLOCKED}") == 1
    assert "blocked: blocked" not in result.output
    assert fake.sources["statsig_orders"]["sql"] == before
