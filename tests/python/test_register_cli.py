"""`plan` and `apply` through click, against the loopback fake Statsig."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from fake_statsig import FakeStatsig, Fault, make_metric
from support import KEY, source

from statsig_sources.cli import main
from statsig_sources.plan import managed_payload

PROJECT_MARKER = "managed-by:statsig-sources:shop"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "dbt_project.yml").write_text("name: shop\n")
    sources = tmp_path / "metric_sources"
    sources.mkdir()
    for name in ("orders", "sessions"):
        (sources / f"{name}.yml").write_text(yaml.safe_dump(source(name)))
    return tmp_path


def invoke(fake: FakeStatsig, project: Path, *args: str, key: str | None = KEY, **kwargs: Any) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": key}
    command = [*args, "--project-dir", str(project)]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_missing_api_key_exits_2_before_any_request(fake: FakeStatsig, project: Path, command: str) -> None:
    result = invoke(fake, project, command, key=None)
    assert result.exit_code == 2
    assert "No Statsig Console API key: set STATSIG_CONSOLE_API_KEY or pass --api-key." in result.output
    assert fake.requests == []


@pytest.mark.parametrize(
    ("seeded", "expected_exit"),
    [([], 4), ([managed_payload(source(n), PROJECT_MARKER) for n in ("orders", "sessions")], 0)],
    ids=["changes-pending", "nothing-to-do"],
)
def test_plan_detailed_exitcode_tells_whether_changes_are_pending(
    fake: FakeStatsig, project: Path, seeded: list[dict[str, Any]], expected_exit: int
) -> None:
    fake.seed_sources(seeded)
    result = invoke(fake, project, "plan", "--detailed-exitcode")
    assert result.exit_code == expected_exit
    assert fake.mutations == 0


def test_plan_json_prints_nothing_but_json(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "plan", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["marker"] == PROJECT_MARKER
    assert [item["action"] for item in report["items"]] == ["create", "create"]


def test_plan_markdown_for_a_pull_request(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "plan", "--format", "markdown", "--marker", "team-x")
    assert result.stdout.startswith("### Statsig metric sources plan\n\nMarker `team-x`: 2 to create")


def test_apply_writes_then_a_second_apply_writes_nothing(fake: FakeStatsig, project: Path) -> None:
    first = invoke(fake, project, "apply")
    assert first.exit_code == 0, first.output
    assert "done: create orders\ndone: create sessions\nApplied: 2 write(s).\n" in first.output
    assert sorted(fake.sources) == ["orders", "sessions"]
    mutations = fake.mutations
    second = invoke(fake, project, "apply")
    assert second.exit_code == 0
    assert "0 to create, 0 to update, 2 unchanged" in second.output
    assert fake.mutations == mutations


def test_apply_exits_1_while_an_item_is_blocked_and_adopt_resolves_it(
    fake: FakeStatsig, project: Path
) -> None:
    fake.seed_sources([source("orders", tags=["manual"])])
    assert "~ update (adopt) orders" in invoke(fake, project, "plan", "--adopt", "orders").output
    blocked = invoke(fake, project, "apply")
    assert blocked.exit_code == 1
    assert (
        "blocked: blocked orders: a source named 'orders' exists in Statsig without the marker"
        in blocked.output
    )
    adopted = invoke(fake, project, "apply", "--adopt", "orders")
    assert adopted.exit_code == 0
    assert PROJECT_MARKER in fake.sources["orders"]["tags"]


def test_apply_prune_is_blocked_by_a_metric(fake: FakeStatsig, project: Path) -> None:
    fake.seed_sources([managed_payload(source("legacy"), PROJECT_MARKER)])
    fake.seed_metrics([make_metric("checkout_rate", "legacy")])
    result = invoke(fake, project, "apply", "--prune")
    assert result.exit_code == 1
    assert "blocked: orphaned legacy: not deleted: used by 1 metric(s): checkout_rate" in result.output
    assert "legacy" in fake.sources


def test_apply_dry_run_persists_nothing(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "apply", "--dry-run")
    assert result.exit_code == 0
    assert "validated: create orders" in result.output
    assert fake.sources == {}


@pytest.mark.parametrize(
    ("key", "fault", "message"),
    [
        ("console-REVOKED999", Fault("status", status=401), "Statsig refused the API key (HTTP 401)"),
        ("sdk-NOTCONSOLE777", None, "Statsig refused the API key (HTTP 401)"),
        (KEY, Fault("status", status=503, retry_after="0", times=50), "Statsig kept failing"),
    ],
    ids=["revoked", "not-a-console-key", "unreachable"],
)
def test_remote_failures_exit_3_without_leaking_the_key(
    fake: FakeStatsig, project: Path, key: str, fault: Fault | None, message: str
) -> None:
    if fault:
        fake.inject(fault)
    result = invoke(fake, project, "plan", "--api-key", key, key=None)
    assert result.exit_code == 3
    assert message in result.output
    assert key.split("-", 1)[1] not in result.output


def test_missing_sources_dir_is_an_input_error(fake: FakeStatsig, tmp_path: Path) -> None:
    result = invoke(fake, tmp_path, "plan")
    assert result.exit_code == 2
    assert "metric_sources does not exist" in result.output


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_command_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
