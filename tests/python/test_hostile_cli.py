"""plan, apply and usage through the command line when the world is hostile: the exit code, the
message, and what was (not) sent or written."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hostile_statsig import HostileServer, Reply, Seen, envelope
from manifest_fixtures import read_fixture, run_results_document
from support import KEY, without_read_line

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, Fault
from statsig_sources.statsig.deadlines import DEFAULT_COMMAND_TIMEOUT, Deadline, allow_writes
from statsig_sources.support.errors import InputError

NAME = "statsig_purchases"
CLI = "import sys; from statsig_sources.cli import main; sys.argv[0] = 'statsig-sources'; main()"


def invoke(url: str, project: Path, *args: str, key: str | None = KEY, **kwargs: Any) -> Result:
    env = {"STATSIG_API_URL": url, "STATSIG_CONSOLE_API_KEY": key, **kwargs.pop("env", {})}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env, **kwargs)


def many_sources(project: Path, count: int) -> Path:
    """The valid fixture project with `count` copies of its source model."""
    data = read_fixture("valid/postgres_production.json")
    base = data["nodes"].pop(f"model.shop.{NAME}")
    for index in range(count):
        node = copy.deepcopy(base)
        name = f"statsig_s{index:03d}"
        node.update(name=name, alias=name, unique_id=f"model.shop.{name}")
        node["relation_name"] = f'"analytics"."statsig_staging"."{name}"'
        data["nodes"][node["unique_id"]] = node
    (project / "target").mkdir(parents=True, exist_ok=True)
    (project / "target" / "manifest.json").write_text(json.dumps(data))
    (project / "target" / "run_results.json").write_text(json.dumps(run_results_document(data)))
    return project


# --- time bounds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["option", "environment"])
def test_plan_against_a_trickling_server_exits_3_at_the_request_deadline(project: Path, how: str) -> None:
    body = json.dumps({"message": "ok", "data": []}).encode()
    with HostileServer(lambda seen: Reply(200, body, trickle=0.05)) as server:
        started = time.monotonic()
        if how == "option":
            result = invoke(server.url, project, "plan", "--request-timeout", "0.5")
        else:
            result = invoke(server.url, project, "plan", env={"STATSIG_REQUEST_TIMEOUT": "0.5"})
        took = time.monotonic() - started
    assert result.exit_code == 3
    assert without_read_line(result.stdout) == ""
    assert result.stderr.startswith(
        "Error: Statsig did not finish answering GET /metrics/metric_source/list?page=1&limit=100: "
        "stopped after 0.5"
    )
    assert result.stderr.endswith(
        "at the request deadline of 0.5 s (--request-timeout or STATSIG_REQUEST_TIMEOUT). Safe to rerun.\n"
    )
    assert took < 5  # the trickled answer alone would take over 3 s; a retry would double it


def test_apply_refuses_a_command_deadline_its_writes_cannot_fit_before_writing(
    fake: FakeStatsig, tmp_path: Path
) -> None:
    project = many_sources(tmp_path, 101)  # 101 creates: one 10 s window of Statsig's 100 per 10 s
    result = invoke(fake.url, project, "apply", "--command-timeout", "5")
    assert result.exit_code == 2
    assert without_read_line(result.stdout).startswith(
        "Statsig metric sources (marker managed-by:statsig-sources:shop): 101 to create"
    )
    assert result.stderr.startswith(
        "Error: The writes apply plans need at least 10.1 s at Statsig's rate limits (plus 10%), but the "
        "command's deadline of 5 s leaves "
    )
    assert result.stderr.endswith(
        ": raise --command-timeout or STATSIG_COMMAND_TIMEOUT, or unset it to let apply derive it. "
        "Nothing was written.\n"
    )
    assert fake.mutations == 0 and fake.sources == {}


class StepClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_apply_derives_its_deadline_from_the_throttle_floor_plus_a_margin() -> None:
    clock = StepClock()
    deadline = Deadline(DEFAULT_COMMAND_TIMEOUT, clock)
    clock.now = 100.0  # the plan took 100 s
    allow_writes(deadline, 909.0, derived=True)  # 1,000 creates: 900 per 15 minutes
    assert deadline.remaining() == pytest.approx(DEFAULT_COMMAND_TIMEOUT + 909.0 * 1.1)
    explicit = Deadline(900.0, clock)
    with pytest.raises(InputError, match="need at least 909 s"):
        allow_writes(explicit, 909.0, derived=False)
    allow_writes(Deadline(1100.0, clock), 909.0, derived=False)  # 999.9 s fit in 1,100


# --- the URL and the key, checked before any request -----------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://statsig.example/console/v1", "must be an http:// or https:// URL with a host"),
        ("not a url", "must be an http:// or https:// URL with a host"),
        ("", "must be an http:// or https:// URL with a host"),
        ("http://[::1/console/v1", "is not a valid URL (Invalid IPv6 URL)"),
        ("https:///console/v1", "must be an http:// or https:// URL with a host"),
        ("http://127.0.0.1:port/x", "is not a valid URL"),
    ],
)
@pytest.mark.parametrize("command", ["plan", "apply", "usage"])
def test_an_unusable_api_url_exits_2_before_any_request(
    fake: FakeStatsig, project: Path, command: str, url: str, message: str
) -> None:
    result = invoke(fake.url, project, command, "--api-url", url)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: The Statsig API URL {url!r} ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert fake.requests == []


@pytest.mark.parametrize(
    "key",
    ["console-ABC\nDEF", "console-ABC\n", " console-ABC", "console-ABC DEF", "console-ÄBC", "console-\x00"],
    ids=["inner-newline", "trailing-newline", "leading-space", "inner-space", "non-ascii", "nul"],
)
@pytest.mark.parametrize("command", ["plan", "apply", "usage"])
def test_a_key_with_whitespace_or_control_characters_exits_2_before_any_request(
    fake: FakeStatsig, project: Path, command: str, key: str
) -> None:
    result = invoke(fake.url, project, command, "--api-key", key, key=None)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: The Statsig Console API key contains whitespace, a line break or a character outside "
        "printable ASCII: check STATSIG_CONSOLE_API_KEY (or --api-key) for a stray newline or space.\n"
    )
    assert fake.requests == []


# --- answers that are not what Statsig documents -----------------------------------------------------


@pytest.mark.parametrize(
    ("command", "reply", "message"),
    [
        (
            "plan",
            envelope(["x"]),
            "Error: Statsig's answer to GET /metrics/metric_source/list is not what its API documents: "
            "data[0] is a string, not an object.\n",
        ),
        (
            "plan",
            envelope([{"name": NAME, "idTypeMapping": "x"}]),
            "Error: Statsig's answer to GET /metrics/metric_source/list is not what its API documents: "
            "data[0].idTypeMapping is a string, not a list.\n",
        ),
        (
            "usage",
            envelope([None]),
            "Error: Statsig's answer to GET /metrics/metric_source/list is not what its API documents: "
            "data[0] is null, not an object.\n",
        ),
        (
            "plan",
            Reply(301, b"", {"Location": "https://statsigapi.net/console/v1/metrics/metric_source/list"}),
            "Error: Statsig answered GET /metrics/metric_source/list?page=1&limit=100 with a redirect "
            "(HTTP 301 to https://statsigapi.net/console/v1/metrics/metric_source/list), which is not "
            "followed: check --api-url (or STATSIG_API_URL).\n",
        ),
    ],
    ids=["list-of-strings", "mapping-as-string", "list-of-null", "redirect"],
)
def test_answers_of_the_wrong_shape_exit_3_naming_the_endpoint(
    project: Path, command: str, reply: Reply, message: str
) -> None:
    with HostileServer(lambda seen: reply) as server:
        result = invoke(server.url, project, command)
    assert (result.exit_code, without_read_line(result.stdout), result.stderr) == (3, "", message)
    assert [seen.method for seen in server.requests] == ["GET"]


@pytest.mark.parametrize("command", ["plan", "apply", "usage"])
def test_a_key_echoed_upper_cased_and_url_encoded_never_reaches_the_output(
    project: Path, command: str
) -> None:
    def script(seen: Seen) -> Reply:
        echoed = f"{KEY.upper()} / {KEY.lower().replace('-', '%2D')}"
        return Reply(401, {"status": 401, "message": f"Key: {echoed}"}, reason=f"Nope {KEY.swapcase()}")

    with HostileServer(script) as server:
        result = invoke(server.url, project, command)
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: Statsig refused the API key (HTTP 401): Key: *** / *** Use an active Console API key "
        "(it starts with `console-`).\n"
    )
    secret = KEY.split("-", 1)[1].lower()
    assert secret not in result.output.lower()


# --- Ctrl-C, and the count of writes ---------------------------------------------------------------


def test_ctrl_c_exits_130_with_one_line_and_no_traceback(project: Path) -> None:
    with HostileServer(lambda seen: Reply(200, b"{}", trickle=1.0)) as server:
        env = {**os.environ, "STATSIG_API_URL": server.url, "STATSIG_CONSOLE_API_KEY": KEY}
        process = subprocess.Popen(
            [sys.executable, "-c", CLI, "plan", "--project-dir", str(project)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert server.requests, "the command never reached Statsig"
    assert (process.returncode, without_read_line(stdout)) == (130, "")
    assert stderr == "Error: Interrupted: stopped before finishing. Every command is safe to rerun.\n"


class InterruptedTerminal(BytesIO):
    """A terminal's stdin on which the user presses Ctrl-C at the prompt."""

    def isatty(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size == 0:  # click's probe for a binary stream
            return b""
        raise KeyboardInterrupt

    read1 = readline = read  # type: ignore[assignment]


def test_ctrl_c_at_the_confirmation_prompt_exits_130_and_writes_nothing(
    fake: FakeStatsig, project: Path
) -> None:
    result = invoke(fake.url, project, "apply", input=InterruptedTerminal())
    assert result.exit_code == 130
    assert result.stderr.endswith(
        "Error: Interrupted: stopped before finishing. Every command is safe to rerun.\n"
    )
    assert fake.mutations == 0


def test_applied_counts_the_write_of_a_create_whose_answer_was_lost(fake: FakeStatsig, project: Path) -> None:
    fake.inject(Fault("drop_after", method="POST"))
    result = invoke(fake.url, project, "apply")
    assert result.exit_code == 0, result.output
    assert f"done: create {NAME}\nApplied: 1 write(s).\n" in result.stdout
    assert sorted(fake.sources) == [NAME]
