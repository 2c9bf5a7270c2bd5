"""`validate` remembers its report for the exact artifacts it judged (statsig_sources_reports.json beside
the manifest, sealed): a second run on unchanged artifacts prints the same report and exit code without
reading them again; any change to them, to the options or to the format runs in full; and a forged,
edited or foreign file never turns a failing manifest into a pass."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import read_fixture, run_results_document

from statsig_sources.artifacts import read as artifacts_read
from statsig_sources.artifacts.paths import REMEMBERED_REPORTS_FILE
from statsig_sources.cli import main
from statsig_sources.support.local_key import key_path, user_key

NODE = "model.shop.statsig_purchases"
RAW = "main_demo_raw.demo_raw_orders"
REFUSAL = f"its sql override reads `{RAW}`"


def _project(tmp_path: Path, *, reads_raw: bool = False) -> Path:
    data = read_fixture("valid/postgres_production.json")
    if reads_raw:
        data["nodes"][NODE]["config"]["meta"]["statsig"]["sql"] = f"select * from {RAW}"
    target = tmp_path / "target"
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (target / "run_results.json").write_text(json.dumps(run_results_document(data)), encoding="utf-8")
    return tmp_path


def _validate(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["validate", "--project-dir", str(project), *args])


def _unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the artifacts fails from here on: only a remembered report can answer."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the artifacts were read again")

    monkeypatch.setattr(artifacts_read, "read_artifacts", refuse)


@pytest.mark.parametrize("reads_raw", [False, True], ids=["passing", "failing"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_second_run_on_unchanged_artifacts_prints_the_same_report_without_reading_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads_raw: bool, fmt: str
) -> None:
    project = _project(tmp_path, reads_raw=reads_raw)
    first = _validate(project, "--format", fmt)
    assert first.exit_code == (1 if reads_raw else 0), first.output
    assert (project / "target" / REMEMBERED_REPORTS_FILE).is_file()
    _unread(monkeypatch)
    again = _validate(project, "--format", fmt)
    assert (again.exit_code, again.stdout, again.stderr) == (first.exit_code, first.stdout, first.stderr)


def test_a_changed_manifest_option_or_format_runs_in_full(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert _validate(project).exit_code == 0
    failing = _project(tmp_path, reads_raw=True)  # the same paths, other bytes
    changed = _validate(failing)
    assert changed.exit_code == 1 and REFUSAL in changed.stdout
    other_schema = _validate(failing, "--statsig-schema", "elsewhere")
    assert other_schema.stdout != changed.stdout
    assert json.loads(_validate(failing, "--format", "json").stdout)["ok"] is False


def _forged_pass(project: Path, key: bytes) -> None:
    """A sealed document in the file's shape that remembers a pass under every key this file held."""
    path = project / "target" / REMEMBERED_REPORTS_FILE
    held = json.loads(path.read_text(encoding="utf-8"))["body"]["reports"]
    passing = {"lines": [[False, "0 problems."]], "exit_code": 0}
    body = json.dumps({"reports": {digest: passing for digest in held}}).encode()
    seal = hmac.new(key, b"statsig-sources remembered reports 1\0" + body, hashlib.sha256).digest()
    path.write_bytes(b'{"seal":"' + base64.b64encode(seal) + b'","body":' + body + b"}")


def test_a_report_forged_with_another_key_cannot_pass_a_failing_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, reads_raw=True)
    assert _validate(project).exit_code == 1
    _forged_pass(project, b"anyone's key, not this user's")
    result = _validate(project)
    assert result.exit_code == 1 and REFUSAL in result.stdout


def test_an_edited_report_in_the_tool_s_own_file_cannot_pass_a_failing_manifest(tmp_path: Path) -> None:
    project = _project(tmp_path, reads_raw=True)
    assert _validate(project).exit_code == 1
    path = project / "target" / REMEMBERED_REPORTS_FILE
    text = path.read_text(encoding="utf-8")
    edited = text.replace('"exit_code":1', '"exit_code":0')
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    result = _validate(project)
    assert result.exit_code == 1 and REFUSAL in result.stdout


def test_without_a_key_nothing_is_remembered_and_the_report_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    key = key_path()
    assert user_key(key) is not None
    key.parent.chmod(0o777)  # a key others could replace is not used: no key, nothing sealed
    project = _project(tmp_path / "p", reads_raw=True)
    first, second = _validate(project), _validate(project)
    assert not (project / "target" / REMEMBERED_REPORTS_FILE).exists()
    assert (first.exit_code, first.stdout) == (second.exit_code, second.stdout) == (1, first.stdout)


def test_an_input_error_is_not_remembered(tmp_path: Path) -> None:
    project = _project(tmp_path)
    given = project / "elsewhere.json"  # --run-results naming a file that is not there: exit 2
    assert _validate(project, "--run-results", str(given)).exit_code == 2
    assert not (project / "target" / REMEMBERED_REPORTS_FILE).exists()
