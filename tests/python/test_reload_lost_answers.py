"""At most one load per experiment and build: a `load_pulse` whose answer is lost (a dropped connection
after the load took effect, a read timeout, a 5xx) is not sent again before the experiment's load
history says Statsig did not record it; the report counts what Statsig recorded.

Against the stand-in, whose `drop_after` fault records the load and then closes the connection
without answering, and against a raw server whose answer to a load comes after the client stopped
waiting.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hostile_statsig import HostileServer, Reply, Seen, envelope
from project_support import load_project
from reload_support import EXPECTED_LOADS, loads, seed_statsig, write_project
from support import KEY

from statsig_sources.cli import main
from statsig_sources.declaration.settings import Settings
from statsig_sources.reload.changes import changes_from_run
from statsig_sources.reload.plan import carry_out, plan_reload, refresh_for
from statsig_sources.standin import FakeStatsig, Fault
from statsig_sources.statsig.api import StatsigClient
from statsig_sources.support.errors import RemoteError

LOAD = "/exp_revenue/load_pulse"
HISTORY = "/exp_revenue/pulse_load_history"


@pytest.fixture
def project(tmp_path: Path, fake: FakeStatsig) -> Path:
    seed_statsig(fake)
    return write_project(tmp_path)


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = ["reload", "--project-dir", str(project), "--page-size", "2", *args]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def loads_of(fake: FakeStatsig, experiment: str) -> int:
    return sum(1 for load in fake.loads if load.experiment_id == experiment)


def revenue(report: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in report["experiments"] if e["id"] == "exp_revenue")


@pytest.mark.parametrize("args", [(), ("--select", "purchases")], ids=["after-a-build", "select"])
def test_a_load_recorded_before_its_answer_was_lost_is_not_sent_again(
    fake: FakeStatsig, project: Path, args: tuple[str, ...]
) -> None:
    fake.inject(Fault("drop_after", method="POST", path_contains=LOAD))
    result = invoke(fake, project, "--format", "json", *args)
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert fake.count("POST", LOAD) == 1 and loads_of(fake, "exp_revenue") == 1
    assert revenue(report)["outcome"] == "requested"
    assert revenue(report)["message"].startswith(
        "its answer was lost; Statsig's history records a metric load created "
    )
    assert report["summary"]["requested"] == len(fake.loads)  # what Statsig recorded, each once


def test_the_text_report_counts_the_recorded_load_once(fake: FakeStatsig, project: Path) -> None:
    fake.inject(Fault("drop_after", method="POST", path_contains=LOAD))
    result = invoke(fake, project)
    assert result.exit_code == 0
    assert "requested: exp_revenue (refresh=metric: Purchase Revenue::user_warehouse)\n" in result.stdout
    assert result.stdout.endswith("Reload: 4 requested, 0 already loaded, 0 refused, 1 skipped.\n")
    assert len(fake.loads) == 4 and set(loads(fake)) == set(EXPECTED_LOADS)


@pytest.mark.parametrize(
    "fault",
    [Fault("drop", method="POST", path_contains=LOAD), Fault("status", 503, "0", "POST", LOAD)],
    ids=["dropped-before-it-took-effect", "a-5xx"],
)
def test_a_load_the_history_does_not_record_is_sent_again_once(
    fake: FakeStatsig, project: Path, fault: Fault
) -> None:
    fake.inject(fault)
    result = invoke(fake, project, "--format", "json")
    assert result.exit_code == 0, result.output
    assert fake.count("POST", LOAD) == 2 and loads_of(fake, "exp_revenue") == 1
    assert fake.count("GET", HISTORY) == 2  # the plan's read, and the one after the lost answer
    assert revenue(json.loads(result.stdout))["message"] == "Experiment is loading."


def test_a_throttled_load_is_retried_without_reading_the_history(fake: FakeStatsig, project: Path) -> None:
    fake.inject(Fault("status", 429, "0", "POST", LOAD, times=2))
    assert invoke(fake, project).exit_code == 0
    assert (fake.count("POST", LOAD), loads_of(fake, "exp_revenue"), fake.count("GET", HISTORY)) == (3, 1, 1)


def test_when_the_history_cannot_be_read_after_a_lost_answer_nothing_is_sent_again(
    fake: FakeStatsig, project: Path
) -> None:
    with StatsigClient(KEY, base_url=fake.url, backoff=0.0, attempts=2) as client:
        loaded = load_project(project / "target" / "manifest.json", Settings())
        changes = changes_from_run(loaded)
        plan = plan_reload(loaded, changes, client, refresh_for(None, changes))
        fake.inject(Fault("drop_after", method="POST", path_contains=LOAD))
        fake.inject(Fault("status", 503, "0", "GET", HISTORY, times=9))
        with pytest.raises(RemoteError) as raised:
            carry_out(plan, client)
    assert str(raised.value).startswith(
        "The answer to POST /experiments/exp_revenue/load_pulse?refresh=metric&metricIDs=Purchase+Revenue"
        "%3A%3Auser_warehouse was lost, and reading whether Statsig recorded it failed: Statsig kept "
        "failing: GET /experiments/exp_revenue/pulse_load_history"
    )
    assert (fake.count("POST", LOAD), loads_of(fake, "exp_revenue")) == (1, 1)


class SlowLoads:
    """A raw Statsig whose load history is `recorded`; the first load is recorded, then answered
    only after the client stopped waiting."""

    def __init__(self, record_first: bool) -> None:
        self.record_first = record_first
        self.recorded: list[dict[str, Any]] = []
        self.posts = 0
        self.lock = threading.Lock()

    def __call__(self, seen: Seen) -> Reply:
        if seen.method == "GET":
            with self.lock:
                return envelope(list(self.recorded), total=len(self.recorded))
        with self.lock:
            self.posts += 1
            first = self.posts == 1
            if self.record_first or not first:
                self.recorded.insert(0, {"createdTime": time.time() * 1000, "reloadType": "metric"})
        if first:
            time.sleep(1.0)  # past the client's read timeout
        return Reply(200, {"message": "Experiment is loading."})


@pytest.mark.parametrize(("record_first", "posts"), [(True, 1), (False, 2)], ids=["recorded", "not-recorded"])
def test_a_load_whose_answer_timed_out_is_sent_again_only_if_the_history_lacks_it(
    record_first: bool, posts: int
) -> None:
    script = SlowLoads(record_first)
    with (
        HostileServer(script) as server,
        StatsigClient(KEY, base_url=server.url, timeout=0.3, backoff=0.0) as client,
    ):
        before = client.pulse_load_history("exp")

        def recorded() -> str | None:
            found = client.pulse_load_history("exp")
            return "recorded" if len(found) > len(before) else None

        answer = client.load_pulse("exp", "full", recorded=recorded)
    assert (script.posts, len(script.recorded)) == (posts, 1)
    assert answer == ("recorded" if record_first else "Experiment is loading.")
