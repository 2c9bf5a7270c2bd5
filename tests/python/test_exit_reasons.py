"""Every non-zero exit of every command prints at least one line saying why, on stdout or stderr, in
every format: a sweep of commands × failure modes, each with the line it must print."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from manifest_fixtures import FIXTURES, write_run_results
from reload_support import seed_statsig, write_project
from support import KEY, source

from statsig_sources.cli import main
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.standin import FakeStatsig, Fault, make_metric

MARKER = "managed-by:statsig-sources:shop"
NAME = "statsig_purchases"
CLOSED = "http://127.0.0.1:9/console/v1"  # the discard port: nothing listens there
FAST = ("--request-timeout", "5")


def _fixture(relative: str) -> Callable[[Path, FakeStatsig], Path]:
    def make(directory: Path, fake: FakeStatsig) -> Path:
        (directory / "target").mkdir()
        shutil.copy(FIXTURES / relative, directory / "target" / "manifest.json")
        write_run_results(directory / "target", FIXTURES / relative)
        return directory

    return make


VALID = _fixture("valid/postgres_production.json")
UNIDENTIFIED = _fixture("invalid/unit_types__unlisted_custom_type.json")
UNGOVERNED = _fixture("invalid/grants__other_grantee.json")


def _nothing(directory: Path, fake: FakeStatsig) -> Path:
    return directory


def _removed_source(directory: Path, fake: FakeStatsig) -> Path:
    fake.seed_sources([managed_payload(source("statsig_customers"), MARKER)])
    fake.seed_metrics([make_metric("Customers", "statsig_customers")])
    return VALID(directory, fake)


def _drops_description(directory: Path, fake: FakeStatsig) -> Path:
    fake.on_store = lambda stored: {**stored, "description": ""}
    return VALID(directory, fake)


def _refuses_writes(directory: Path, fake: FakeStatsig) -> Path:
    fake.inject(Fault("status", status=400, method="POST", path_contains="/metric_source", times=10))
    return VALID(directory, fake)


def _failing(directory: Path, fake: FakeStatsig) -> Path:
    fake.inject(Fault("status", status=503, retry_after="0", times=100))
    return VALID(directory, fake)


def _stale_render(directory: Path, fake: FakeStatsig) -> Path:
    return VALID(directory, fake)  # nothing rendered yet: every file is missing


def _stale_exposures(directory: Path, fake: FakeStatsig) -> Path:
    (directory / "models").mkdir()
    (directory / "models" / "statsig_exposures.yml").write_text("version: 2\n")
    fake.seed_metrics([make_metric("Revenue", NAME)])
    return VALID(directory, fake)


def _refused_load(directory: Path, fake: FakeStatsig) -> Path:
    seed_statsig(fake)
    fake.refuse_loads("exp_ratio", "Experiment exp_ratio is not running.")
    return write_project(directory)


def _bad_seed(directory: Path, fake: FakeStatsig) -> Path:
    (directory / "seed.yml").write_text("metrics: [{name: 7}]\n")
    return directory


@dataclass(frozen=True)
class Case:
    command: str
    mode: str
    setup: Callable[[Path, FakeStatsig], Path]
    exit_code: int
    reason: str  # a line (or the start of one) that must be printed
    args: tuple[str, ...] = ()
    env: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.command}-{self.mode}"


CONNECTED = ("plan", "apply", "usage", "reload")
CASES = [
    *(
        Case(command, "no-manifest", _nothing, 2, "Error: no dbt manifest at ")
        for command in ("validate", "render", "plan", "apply", "usage", "reload", "audit")
    ),
    *(
        Case(
            command,
            "unusable-declaration",
            UNIDENTIFIED,
            1,
            "error: [unit_types] model.shop.statsig_purchases",
        )
        for command in ("validate", "render", "plan", "apply", "usage", "reload")
    ),
    *(
        Case(command, "ungoverned", UNGOVERNED, 1, f"{command} refused: ")
        for command in ("render", "plan", "apply")
    ),
    *(
        Case(
            command,
            "no-key",
            VALID,
            2,
            "Error: No Statsig Console API key",
            env={"STATSIG_CONSOLE_API_KEY": None},
        )
        for command in CONNECTED
    ),
    *(
        Case(command, "unreachable", VALID, 3, "Error: ", args=FAST, env={"STATSIG_API_URL": CLOSED})
        for command in CONNECTED
    ),
    *(
        Case(
            command,
            "key-refused",
            VALID,
            3,
            "Error: Statsig refused the API key (HTTP 401)",
            env={"STATSIG_CONSOLE_API_KEY": "sdk-NOTCONSOLE777"},
        )
        for command in CONNECTED
    ),
    *(Case(command, "5xx", _failing, 3, "Error: Statsig kept failing", args=FAST) for command in CONNECTED),
    *(
        Case(
            command,
            "bad-option",
            VALID,
            2,
            "Error: No such option '--no-such-option'.",
            args=("--no-such-option",),
        )
        for command in ("validate", "render", "plan", "apply", "usage", "reload", "audit", "stand-in")
    ),
    Case("render", "stale", _stale_render, 1, "metric_sources/ is out of date", args=("--check",)),
    Case("plan", "removal-blocked", _removed_source, 1, "    removed from dbt while Statsig metrics read it"),
    Case("plan", "changes-pending", VALID, 4, "+ create statsig_purchases", args=("--detailed-exitcode",)),
    Case(
        "apply",
        "removal-blocked",
        _removed_source,
        1,
        "blocked: statsig_customers: removed from dbt",
        args=("--yes",),
    ),
    Case(
        "apply",
        "drifted",
        _drops_description,
        1,
        "drifted: create statsig_purchases: Statsig dropped or changed description",
        args=("--yes",),
    ),
    Case("apply", "write-refused", _refuses_writes, 1, "failed: create statsig_purchases: ", args=("--yes",)),
    Case(
        "usage",
        "stale-exposures",
        _stale_exposures,
        1,
        "{project}/models/statsig_exposures.yml is stale.",
        args=("--write-exposures", "{project}/models/statsig_exposures.yml", "--check"),
    ),
    Case("reload", "load-refused", _refused_load, 1, "refused: exp_ratio: Statsig refused POST"),
    Case(
        "audit",
        "unreachable-warehouse",
        VALID,
        2,
        "Error: ",
        args=("--dsn", "postgresql://statsig@127.0.0.1:9/none?connect_timeout=2"),
    ),
    Case("stand-in", "bad-seed", _nothing, 2, "Error: ", args=("--seed", "seed.yml")),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_non_zero_exit_prints_a_line_saying_why(fake: FakeStatsig, tmp_path: Path, case: Case) -> None:
    project = case.setup(tmp_path, fake)
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY, **case.env}
    args = [case.command, *(arg.format(project=project) for arg in case.args)]
    if case.command != "stand-in":
        args += ["--project-dir", str(project)]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    lines = [*result.stdout.splitlines(), *result.stderr.splitlines()]
    assert result.exit_code == case.exit_code, result.output
    assert "Traceback" not in result.output
    assert any(line.startswith(case.reason.format(project=project)) for line in lines), result.output


# --- JSON and markdown: the report says why, and a JSON report has its reason on stderr too -----------


@pytest.mark.parametrize(
    ("command", "setup", "reason"),
    [
        (
            "plan",
            _removed_source,
            "blocked: statsig_customers: removed from dbt while Statsig metrics read it",
        ),
        (
            "apply",
            _removed_source,
            "blocked: statsig_customers: removed from dbt while Statsig metrics read it",
        ),
        (
            "apply",
            _drops_description,
            "drifted: create statsig_purchases: Statsig dropped or changed description",
        ),
    ],
    ids=["plan-blocked", "apply-blocked", "apply-drifted"],
)
def test_a_json_report_that_exits_1_says_why_on_stderr(
    fake: FakeStatsig, tmp_path: Path, command: str, setup: Callable[[Path, FakeStatsig], Path], reason: str
) -> None:
    project = setup(tmp_path, fake)
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = [
        command,
        "--format",
        "json",
        "--project-dir",
        str(project),
        *(["--yes"] if command == "apply" else []),
    ]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 1
    json.loads(result.stdout)  # nothing but JSON
    assert [line for line in result.stderr.splitlines() if line.startswith(reason)], result.stderr
