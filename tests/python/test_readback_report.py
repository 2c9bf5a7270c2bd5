"""Read-back problems are printed on every output: a CI log (whose lines said `done` before reading
back), a terminal (after its progress bar), JSON and markdown, each with the fields Statsig holds
otherwise than they were sent. Against the stand-in, made to keep less than it is sent."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from support import KEY, without_read_line
from test_register_cli import desired, invoke

from statsig_sources.standin import FakeStatsig

NAME = "statsig_purchases"
DRIFTED = f"drifted: create {NAME}: Statsig dropped or changed description"
SUMMARY = "Applied: 1 write(s), but 1 drifted (listed above), so apply exits 1."


def _drops_description(stored: dict[str, Any]) -> dict[str, Any]:
    return {**stored, "description": ""}


@pytest.fixture
def sent(fake: FakeStatsig, project: Path) -> str:
    """What the source's description is sent as; the stand-in keeps none of it."""
    fake.on_store = _drops_description
    [payload] = desired(project)
    description: str = payload["description"]
    assert description
    return description


def test_a_ci_log_reports_the_drift_after_the_done_line(fake: FakeStatsig, project: Path, sent: str) -> None:
    result = invoke(fake, project, "apply", "--yes")
    assert result.exit_code == 1
    assert without_read_line(result.stdout).splitlines()[-4:] == [
        f"done: create {NAME}",
        DRIFTED,
        f'    description: sent "{sent}", Statsig holds ""',
        SUMMARY,
    ]
    assert result.stderr == ""


def test_a_terminal_reports_the_drift_after_the_progress_bar(
    fake: FakeStatsig, project: Path, sent: str
) -> None:
    """On a real pseudo-terminal: the bar on stdout, the problems on stderr, the result last."""
    main, replica = pty.openpty()
    env = {**os.environ, "STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY, "COLUMNS": "200"}
    executable = str(Path(sys.executable).parent / "statsig-sources")
    command = [executable, "apply", "--yes", "--project-dir", str(project)]
    process = subprocess.Popen(command, stdout=replica, stderr=subprocess.PIPE, env=env, text=True)
    os.close(replica)
    stdout = _read_all(main)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert stderr.splitlines()[-2:] == [DRIFTED, f'    description: sent "{sent}", Statsig holds ""']
    assert "Applying" in stdout
    assert stdout.replace("\r\n", "\n").rstrip("\n").splitlines()[-1] == SUMMARY


def _read_all(descriptor: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 4096)
        except OSError:  # the replica side closed: the command has finished writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(descriptor)
    return b"".join(chunks).decode()


def test_the_json_report_carries_each_field_that_differs(fake: FakeStatsig, project: Path, sent: str) -> None:
    result = invoke(fake, project, "apply", "--yes", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["writes"], report["summary"]["drifted"]) == (False, 1, 1)
    [outcome] = report["outcomes"]
    assert (outcome["status"], outcome["message"]) == ("drifted", "Statsig dropped or changed description")
    assert outcome["drift"] == [{"field": "description", "sent": sent, "statsig": ""}]
    assert result.stderr.splitlines() == [DRIFTED, f'    description: sent "{sent}", Statsig holds ""']


def test_the_markdown_report_shows_the_drift(fake: FakeStatsig, project: Path, sent: str) -> None:
    result = invoke(fake, project, "apply", "--yes", "--format", "markdown")
    assert result.exit_code == 1
    text = result.stdout
    assert text.startswith("### Statsig metric sources plan\n")
    assert (
        f"| drifted | create | source | `{NAME}` | Statsig dropped or changed description |"
        in text.splitlines()
    )
    assert f'```\ndescription: sent "{sent}", Statsig holds ""\n```' in text
    assert text.endswith(f"\n{SUMMARY}\n")


def test_sql_that_comes_back_changed_is_shown_as_a_diff(fake: FakeStatsig, project: Path) -> None:
    fake.on_store = lambda stored: {**stored, "sql": stored["sql"].replace("select", "SELECT", 1)}
    result = invoke(fake, project, "apply", "--yes")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    start = lines.index(f"drifted: create {NAME}: Statsig dropped or changed sql")
    assert lines[start + 1 : start + 3] == ["    --- sql (sent)", "    +++ sql (Statsig)"]
    assert "    -select" in lines and "    +SELECT" in lines


def test_a_clean_apply_still_ends_with_the_count_of_writes(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "apply", "--yes")
    assert result.exit_code == 0
    assert result.stdout.endswith(f"done: create {NAME}\nApplied: 1 write(s).\n")


class Terminal(BytesIO):
    """A terminal's stdin, on which the user answers the confirmation."""

    def isatty(self) -> bool:
        return True


def test_a_json_apply_on_a_terminal_asks_on_stderr_after_showing_the_plan(
    fake: FakeStatsig, project: Path
) -> None:
    result = invoke(fake, project, "apply", "--format", "json", input=Terminal(b"y\n"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcomes"][0]["status"] == "done"  # nothing but JSON
    assert f"+ create {NAME}\nApply these changes to Statsig? [y/N]: " in result.stderr
