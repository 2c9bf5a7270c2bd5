"""`plan` and `apply` through click, from a manifest, against the loopback fake Statsig."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from project_support import load_project
from support import KEY, source

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.declaration.settings import Settings
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.registration.sources import build_payloads, diff
from statsig_sources.standin import FakeStatsig, Fault, make_metric

PROJECT_MARKER = "managed-by:statsig-sources:shop"  # the fixture manifests' project is `shop`
NAME = "statsig_purchases"


def desired(project: Path) -> list[dict[str, Any]]:
    """What render writes for the project, as payloads."""
    return [p.body for p in build_payloads(load_project(project / "target" / "manifest.json", Settings()))]


def invoke(fake: FakeStatsig, project: Path, *args: str, key: str | None = KEY, **kwargs: Any) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": key}
    command = [*args, "--project-dir", str(project)]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_missing_api_key_exits_2_before_any_request(fake: FakeStatsig, project: Path, command: str) -> None:
    result = invoke(fake, project, command, key=None)
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr == "Error: No Statsig Console API key: set STATSIG_CONSOLE_API_KEY or pass --api-key.\n"
    )
    assert fake.requests == []


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_invalid_project_is_refused_with_every_problem_and_no_request(
    fake: FakeStatsig, dbt_project: Callable[..., Path], command: str
) -> None:
    project = dbt_project("invalid/grants__other_grantee.json")
    result = invoke(fake, project, command)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"Read {project / 'target' / 'manifest.json'}: dbt project shop, adapter postgres, generated at "
        f"an unknown time; statsig-sources {__version__}.\nerror: [grants] model.shop.statsig_purchases"
    )
    assert result.stdout.endswith(
        f"1 metric source checked: 1 error.\n{command} refused: no request was sent to Statsig.\n"
    )
    assert fake.requests == []


def test_plan_json_refusal_prints_nothing_but_json(
    fake: FakeStatsig, dbt_project: Callable[..., Path]
) -> None:
    result = invoke(fake, dbt_project("invalid/lineage__hard_coded_table.json"), "plan", "--format", "json")
    report = json.loads(result.stdout)
    assert (result.exit_code, report["command"], report["refused"]) == (1, "plan", True)
    assert [v["rule"] for v in report["violations"]] == ["lineage"]


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_missing_manifest_is_an_input_error(fake: FakeStatsig, tmp_path: Path, command: str) -> None:
    result = invoke(fake, tmp_path, command)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: no dbt manifest at {tmp_path / 'target' / 'manifest.json'}")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("seeded", "expected_exit"),
    [(False, 4), (True, 0)],
    ids=["changes-pending", "nothing-to-do"],
)
def test_plan_detailed_exitcode_tells_whether_changes_are_pending(
    fake: FakeStatsig, project: Path, seeded: bool, expected_exit: int
) -> None:
    fake.seed_sources(desired(project) if seeded else [])
    result = invoke(fake, project, "plan", "--detailed-exitcode")
    assert result.exit_code == expected_exit
    assert fake.mutations == 0


def test_plan_json_prints_nothing_but_json(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "plan", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["marker"] == PROJECT_MARKER
    assert [(item["action"], item["name"]) for item in report["items"]] == [("create", NAME)]


def test_plan_prints_validation_warnings_on_stderr_only(
    fake: FakeStatsig, dbt_project: Callable[..., Path]
) -> None:
    result = invoke(fake, dbt_project("valid/duckdb_developer_schema.json"), "plan", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["marker"] == PROJECT_MARKER
    assert [line.split("]")[0] for line in result.stderr.splitlines()] == [
        "warning: [governed_schema",
        "warning: [grants",
    ]


def test_plan_markdown_for_a_pull_request(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "plan", "--format", "markdown", "--marker", "team-x")
    assert result.stdout.startswith(
        f"### Statsig metric sources plan\n\nRead {project / 'target' / 'manifest.json'}: dbt project "
        f"shop, adapter postgres, generated at an unknown time; statsig-sources {__version__}.\n\nMarker "
        "`team-x`: 1 to create"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("detailed", [False, True], ids=["plain", "detailed-exitcode"])
def test_plan_with_a_blocked_item_exits_1_even_with_changes_pending(
    fake: FakeStatsig, dbt_project: Callable[..., Path], fmt: str, detailed: bool
) -> None:
    project = dbt_project("invalid/duplicate_source_names__two_models.json")
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    for node in manifest["nodes"].values():  # two sources of different names: one created, one blocked
        if "statsig" in node["config"].get("meta", {}):
            node["config"]["meta"]["statsig"].pop("source_name", None)
    (project / "target" / "manifest.json").write_text(json.dumps(manifest))
    [first, second] = sorted(payload["name"] for payload in desired(project))
    fake.seed_sources([source(second, tags=["manual"])])
    result = invoke(fake, project, "plan", "--format", fmt, *(["--detailed-exitcode"] if detailed else []))
    assert result.exit_code == 1, result.output
    assert fake.mutations == 0
    if fmt == "markdown":
        rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
        assert [row.split(" | ")[1:3] for row in rows[1:]] == [
            ["blocked", f"`{second}`"],
            ["create", f"`{first}`"],
        ]
        assert (
            f"**Blocked: source `{second}`.** `apply` leaves it as Statsig holds it and exits 1, so this "
            "plan fails CI." in result.stdout
        )


def test_apply_sends_exactly_what_render_writes(fake: FakeStatsig, project: Path) -> None:
    assert CliRunner().invoke(main, ["render", "--project-dir", str(project)]).exit_code == 0
    rendered = yaml.safe_load((project / "metric_sources" / f"{NAME}.yml").read_text())
    assert PROJECT_MARKER in rendered["tags"]
    assert invoke(fake, project, "apply").exit_code == 0
    assert diff(rendered, fake.sources[NAME]) == ()


def test_apply_writes_then_a_second_apply_writes_nothing(fake: FakeStatsig, project: Path) -> None:
    first = invoke(fake, project, "apply")
    assert first.exit_code == 0, first.output
    assert f"done: create {NAME}\nApplied: 1 write(s).\n" in first.output
    assert sorted(fake.sources) == [NAME]
    mutations = fake.mutations
    second = invoke(fake, project, "apply")
    assert second.exit_code == 0
    assert "0 to create, 0 to update, 1 unchanged" in second.output
    assert fake.mutations == mutations


def test_apply_exits_1_while_an_item_is_blocked_and_adopt_resolves_it(
    fake: FakeStatsig, project: Path
) -> None:
    fake.seed_sources([source(NAME, tags=["manual"])])
    assert f"~ update (adopt) {NAME}" in invoke(fake, project, "plan", "--adopt", NAME).output
    blocked = invoke(fake, project, "apply")
    assert blocked.exit_code == 1
    line = f"blocked: {NAME}: a source named '{NAME}' exists in Statsig without the marker"
    assert blocked.output.count(line) == 1  # once, not again in a summary
    assert "blocked: blocked" not in blocked.output
    adopted = invoke(fake, project, "apply", "--adopt", NAME)
    assert adopted.exit_code == 0
    assert PROJECT_MARKER in fake.sources[NAME]["tags"]


def test_apply_prune_is_blocked_by_a_metric(fake: FakeStatsig, project: Path) -> None:
    """Removing a source a metric reads is blocked in the plan; forced, --prune still deletes only
    what no metric uses."""
    fake.seed_sources([managed_payload(source("legacy"), PROJECT_MARKER)])
    fake.seed_metrics([make_metric("checkout_rate", "legacy")])
    result = invoke(fake, project, "apply", "--prune")
    assert result.exit_code == 1
    assert (
        "blocked: legacy: removed from dbt while Statsig metrics read it: metric checkout_rate "
        "(checkout_rate::user_warehouse); retire those metrics first"
    ) in result.output
    forced = invoke(fake, project, "apply", "--prune", "--force")
    assert forced.exit_code == 1
    assert "blocked: orphaned legacy: not deleted: used by 1 metric(s): checkout_rate" in forced.output
    assert "legacy" in fake.sources


def test_apply_dry_run_persists_nothing(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "apply", "--dry-run")
    assert result.exit_code == 0
    assert f"validated: create {NAME}" in result.output
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


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_command_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


DEVELOPMENT_REFUSAL = (
    "Error: apply refused, no request was sent to Statsig: metric sources are built in "
    "`dbt_alice_statsig_staging`, not in the production governed schema `statsig_staging` (their target "
    "is not in statsig_production_targets), so registering them would point Statsig's experiments at a "
    "development build; run render, plan and apply on a production target's manifest, or let apply "
    "register them with --allow-non-production (STATSIG_SOURCES_ALLOW_NON_PRODUCTION=1).\n"
)


@pytest.mark.parametrize(
    ("option", "env", "refused"),
    [
        ((), {}, True),
        ((), {"STATSIG_SOURCES_ALLOW_NON_PRODUCTION": "0"}, True),
        (("--allow-non-production",), {}, False),
        ((), {"STATSIG_SOURCES_ALLOW_NON_PRODUCTION": "1"}, False),
        ((), {"STATSIG_SOURCES_ALLOW_NON_PRODUCTION": "true"}, False),
    ],
    ids=["default", "env-false", "option", "env-1", "env-true"],
)
def test_apply_refuses_a_development_schema_unless_allowed(
    fake: FakeStatsig,
    dbt_project: Callable[..., Path],
    option: tuple[str, ...],
    env: dict[str, str],
    refused: bool,
) -> None:
    project = dbt_project("valid/duckdb_developer_schema.json")
    environment = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY, **env}
    command = ["apply", "--yes", "--project-dir", str(project), *option]
    result = CliRunner().invoke(main, command, env=environment, catch_exceptions=False)
    if refused:
        assert (result.exit_code, result.stderr.splitlines()[-1] + "\n") == (1, DEVELOPMENT_REFUSAL)
        assert fake.requests == []
    else:
        assert result.exit_code == 0, result.output
        assert sorted(fake.sources) == ["statsig_purchases"]
