"""A load history reload cannot read is that experiment's refusal, named in every format, never a
traceback: a `createdTime` of 1e20 or -1e15 (numbers, but no time), NaN or Infinity (not JSON at all);
the text report names an experiment refused on its history as JSON and markdown do."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from reload_support import EXPECTED_LOADS, loads, seed_statsig, write_project
from support import KEY

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, Fault

HISTORY = "GET /experiments/exp_revenue/pulse_load_history?page=1&limit=2"
NOT_A_TIME = (
    "not requested: its load history cannot be read (load 1's createdTime is {}, not a time "
    "(milliseconds since the epoch)), so a load since the run cannot be ruled out"
)
CASES = {
    "1e20": (1e20, NOT_A_TIME.format("1e+20")),
    "-1e15": (-1e15, NOT_A_TIME.format("-1000000000000000.0")),
    "NaN": (math.nan, f"Statsig answered {HISTORY} with a number JSON does not allow (NaN)."),
    "Infinity": (math.inf, f"Statsig answered {HISTORY} with a number JSON does not allow (Infinity)."),
}


@pytest.fixture
def project(tmp_path: Path, fake: FakeStatsig) -> Path:
    seed_statsig(fake)
    return write_project(tmp_path)


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = ["reload", "--project-dir", str(project), "--page-size", "2", *args]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def history(created: float) -> list[dict[str, Any]]:
    record = {"reloadType": "full", "startDs": "2026-05-01", "endDs": "2026-05-20", "turboMode": False}
    return [{"createdTime": created, **record}]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_created_time_that_is_no_time_refuses_that_experiment_in_every_format(
    fake: FakeStatsig, project: Path, case: str, fmt: str
) -> None:
    created, message = CASES[case]
    fake.seed_load_history("exp_revenue", history(created))
    result = invoke(fake, project, "--format", fmt)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert set(loads(fake)) == set(EXPECTED_LOADS) - {"exp_revenue"}  # the others go on
    if fmt == "json":
        report = json.loads(result.stdout)
        revenue = next(e for e in report["experiments"] if e["id"] == "exp_revenue")
        assert (revenue["outcome"], revenue["message"]) == ("refused", message)
        assert report["summary"]["refused"] == 1
    elif fmt == "markdown":
        row = "| `exp_revenue` | refused | metric | `Purchase Revenue::user_warehouse` | "
        assert row + message.replace("|", "\\|") + " |\n" in result.stdout
    else:
        assert f"\nrefused: exp_revenue: {message}\n" in result.stdout
        assert "3 to request, 0 already loaded, 1 skipped, 1 refused.\n" in result.stdout
        assert result.stdout.endswith("Reload: 3 requested, 0 already loaded, 1 refused, 1 skipped.\n")


def test_the_text_report_names_an_experiment_refused_on_its_history(fake: FakeStatsig, project: Path) -> None:
    fake.inject(Fault("status", status=404, method="GET", path_contains="/exp_ratio/pulse_load_history"))
    result = invoke(fake, project)
    assert result.exit_code == 1
    refusal = (
        "refused: exp_ratio: Statsig refused GET /experiments/exp_ratio/pulse_load_history?page=1&limit=2 "
        "(HTTP 404): Injected failure.\n"
    )
    assert result.stdout.count(refusal) == 1
    assert result.stdout.index(refusal) < result.stdout.index("requested: exp_revenue")
    dry = invoke(fake, project, "--dry-run")
    assert dry.stdout.count("refused: exp_ratio: ") == 0  # the fault answered once; now it reads fine
    fake.inject(Fault("status", status=404, method="GET", path_contains="/exp_ratio/pulse_load_history"))
    dry = invoke(fake, project, "--dry-run")
    assert dry.stdout.count("refused: exp_ratio: Statsig refused GET") == 1  # once, not again below
