"""The remembered SQL answers cannot turn a refusal into a pass: a forged, edited, foreign, truncated or
symlinked statsig_sources_sql_reads.json leaves `validate`, `render` and `apply` refusing SQL that reads
outside the governed schema, for the user's SQL and for the governed views' compiled SQL alike."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import read_fixture, run_results_document
from support import KEY

from statsig_sources.artifacts.paths import SQL_ANSWERS_FILE as CACHE_FILE
from statsig_sources.artifacts.relations import TableRef
from statsig_sources.cli import main
from statsig_sources.sql import answers as sql_results
from statsig_sources.sql.answers import SqlReads, load_answers, save_answers, sql_digest
from statsig_sources.standin import FakeStatsig
from statsig_sources.support.local_key import KEY_FILE, SHARED_KEY_VARIABLE, key_path, user_key

NODE = "model.shop.statsig_purchases"
RAW = "main_demo_raw.demo_raw_orders"
OVERRIDE = f"select * from {RAW}"
REFUSAL = (
    f"its sql override reads `{RAW}`; it may read only the governed relation "
    "`analytics.statsig_staging.statsig_purchases`"
)
GOVERNED = [["analytics", "statsig_staging", "statsig_purchases"]]
SHARED = "a-ci-secret-of-at-least-32-characters"


def _project(tmp_path: Path, override: str | None = OVERRIDE, compiled: str | None = None) -> Path:
    data = read_fixture("valid/postgres_production.json")
    node = data["nodes"][NODE]
    if override is not None:
        node["config"]["meta"]["statsig"]["sql"] = override
    if compiled is not None:
        node["compiled_code"] = compiled
    target = tmp_path / "target"
    target.mkdir(exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (target / "run_results.json").write_text(json.dumps(run_results_document(data)), encoding="utf-8")
    return tmp_path


def _invoke(project: Path, *args: str, url: str = "http://127.0.0.1:9") -> Result:
    env = {"STATSIG_API_URL": url, "STATSIG_CONSOLE_API_KEY": KEY}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env)


def _violations(project: Path) -> list[dict[str, Any]]:
    result = _invoke(project, "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    violations: list[dict[str, Any]] = json.loads(result.stdout)["violations"]
    return violations


def _forge(project: Path, answers: dict[str, Any], key: bytes = b"anyone's key " * 3) -> None:
    """What anyone can write: a document in the cache's shape, its reader copied from public files, sealed
    with a key of their own (they do not know this user's)."""
    body = json.dumps({"reader": sql_results._reader(), "dialect": "postgres", "answers": answers})
    seal = hmac.new(key, b"statsig-sources sql reads 2\0" + body.encode(), hashlib.sha256).digest()
    document = f'{{"seal": "{base64.b64encode(seal).decode()}", "body": {body}}}'
    (project / "target" / CACHE_FILE).write_text(document, encoding="utf-8")


def _forge_unsealed(project: Path, answers: dict[str, Any]) -> None:
    """The forgery that passed before answers were sealed: the reader's digest was the only check."""
    document = {"reader": sql_results._reader(), "dialect": "postgres", "answers": answers}
    (project / "target" / CACHE_FILE).write_text(json.dumps(document), encoding="utf-8")


def _messages(project: Path) -> list[str]:
    return [violation["message"] for violation in _violations(project)]


def test_an_override_reading_a_raw_table_is_refused_without_a_cache(tmp_path: Path) -> None:
    assert _messages(_project(tmp_path)) == [REFUSAL]


@pytest.mark.parametrize("forge", [_forge, _forge_unsealed], ids=["sealed-with-another-key", "unsealed"])
def test_a_forged_cache_cannot_pass_an_override_that_reads_a_raw_table(
    tmp_path: Path, forge: Callable[[Path, dict[str, Any]], None]
) -> None:
    project = _project(tmp_path)
    forge(project, {sql_digest(OVERRIDE, True): [GOVERNED, None]})
    assert _messages(project) == [REFUSAL]


def test_an_edited_answer_in_the_tool_s_own_cache_cannot_pass_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert _messages(project) == [REFUSAL]  # the tool writes its cache
    cache = project / "target" / CACHE_FILE
    text = cache.read_text(encoding="utf-8")
    edited = text.replace('[[null,"main_demo_raw","demo_raw_orders"]]', json.dumps(GOVERNED))
    assert edited != text
    cache.write_text(edited, encoding="utf-8")
    assert _messages(project) == [REFUSAL]


def test_a_forged_lineage_answer_cannot_hide_a_hard_coded_raw_table(tmp_path: Path) -> None:
    compiled = (
        f'select user_id, stable_id from {RAW} join "analytics"."marts"."fct_purchases" using (user_id)'
    )
    project = _project(tmp_path, override=None, compiled=compiled)
    lineage = f"reads `{RAW}`, which dbt does not manage"
    assert [lineage in message for message in _messages(project)] == [True]
    _forge(project, {sql_digest(compiled, True): [[["analytics", "marts", "fct_purchases"]], None]})
    assert [lineage in message for message in _messages(project)] == [True]


@pytest.mark.parametrize("command", ["render", "apply"])
def test_render_and_apply_refuse_with_a_forged_cache_and_send_nothing(tmp_path: Path, command: str) -> None:
    project = _project(tmp_path)
    _forge(project, {sql_digest(OVERRIDE, True): [GOVERNED, None]})
    with FakeStatsig() as fake:
        result = _invoke(project, command, url=fake.url)
        assert fake.requests == []
    assert result.exit_code == 1, result.output
    assert REFUSAL in result.output
    assert not (project / "metric_sources").exists()


def _sealed_lie(path: Path) -> None:
    """A lie sealed with the key this process would use: only this user (or a job given the shared
    key) could write it."""
    governed = frozenset({TableRef("analytics", "statsig_staging", "statsig_purchases")})
    save_answers(path, "postgres", {sql_digest(OVERRIDE, True): SqlReads(governed)})


def test_a_lie_sealed_with_this_user_s_key_is_trusted_so_the_seal_is_what_refuses_forgeries(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    _sealed_lie(project / "target" / CACHE_FILE)
    result = _invoke(project, "validate")
    assert (result.exit_code, REFUSAL in result.output) == (0, False)
    _forge(project, {sql_digest(OVERRIDE, True): [GOVERNED, None]}, key=user_key(key_path()) or b"")
    assert _invoke(project, "validate").exit_code == 0  # the forgery's shape is the tool's own


def test_a_truncated_cache_is_read_again_and_replaced(tmp_path: Path) -> None:
    project = _project(tmp_path)
    cache = project / "target" / CACHE_FILE
    _sealed_lie(cache)
    whole = cache.read_bytes()
    for size in (len(whole) - 1, len(whole) // 2, 0):
        cache.write_bytes(whole[:size])
        assert _messages(project) == [REFUSAL]
        assert load_answers(cache, "postgres") != {}  # replaced by a sealed file of true answers


def test_a_cache_reached_through_a_symbolic_link_is_neither_read_nor_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    _sealed_lie(elsewhere)
    before = elsewhere.read_bytes()
    (project / "target" / CACHE_FILE).symlink_to(elsewhere)
    assert _messages(project) == [REFUSAL]
    assert (project / "target" / CACHE_FILE).is_symlink() and elsewhere.read_bytes() == before


def test_a_target_directory_that_is_a_symbolic_link_holds_no_trusted_answers(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = _project(tmp_path / "real") / "target"
    _sealed_lie(real / CACHE_FILE)
    before = (real / CACHE_FILE).read_bytes()
    project = tmp_path / "project"
    project.mkdir()
    (project / "target").symlink_to(real)
    assert _messages(project) == [REFUSAL]
    assert (real / CACHE_FILE).read_bytes() == before


@pytest.mark.parametrize(
    ("make_unsafe", "problem"),
    [
        (lambda key: key.chmod(0o644), "can be read by other users (mode 0644; chmod 600 it)"),
        (lambda key: key.chmod(0o640), "can be read by other users (mode 0640; chmod 600 it)"),
        (lambda key: key.parent.chmod(0o777), "can be written by other users (mode 0777; chmod 700 it)"),
    ],
    ids=["world-readable", "group-readable", "directory-writable-by-others"],
)
def test_a_key_others_could_know_seals_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_unsafe: Callable[[Path], None], problem: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    key = key_path()
    assert user_key(key) is not None
    make_unsafe(key)
    project = _project(tmp_path)
    _forge(project, {sql_digest(OVERRIDE, True): [GOVERNED, None]}, key=key.read_bytes())
    result = _invoke(project, "validate")
    assert (result.exit_code, REFUSAL in result.stdout) == (1, True)
    assert problem in result.stderr
    assert "SQL answers are not remembered, so every run parses all SQL" in result.stderr
    assert load_answers(project / "target" / CACHE_FILE, "postgres") == {}  # nothing sealed, nothing trusted


def test_a_key_that_is_a_symbolic_link_or_not_the_user_s_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other-key"
    other.write_bytes(b"k" * 32)
    other.chmod(0o600)
    link = tmp_path / "cache" / KEY_FILE
    link.parent.mkdir(parents=True, mode=0o700)
    link.symlink_to(other)
    assert user_key(link) is None
    if os.geteuid() == 0:  # only root can give a file to another user
        owned = tmp_path / "owned" / KEY_FILE
        owned.parent.mkdir(parents=True, mode=0o700)
        owned.write_bytes(b"k" * 32)
        owned.chmod(0o600)
        os.chown(owned, 12345, -1)
        assert user_key(owned) is None


def test_the_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "cache" / KEY_FILE
    first = user_key(path)
    assert first is not None and len(first) == 32
    assert (stat.S_IMODE(path.stat().st_mode), stat.S_IMODE(path.parent.stat().st_mode)) == (0o600, 0o700)
    assert user_key(path) == first
    assert [entry.name for entry in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize(("reader_key", "trusted"), [(SHARED, True), (SHARED + "x", False)])
def test_jobs_given_the_same_shared_key_trust_each_other_s_answers_and_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader_key: str, trusted: bool
) -> None:
    project = _project(tmp_path)
    monkeypatch.setenv(SHARED_KEY_VARIABLE, SHARED)
    _sealed_lie(project / "target" / CACHE_FILE)  # the first job
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    monkeypatch.setenv(SHARED_KEY_VARIABLE, reader_key)
    result = _invoke(project, "validate")
    assert (result.exit_code, REFUSAL in result.stdout) == ((0, False) if trusted else (1, True))
    assert not (tmp_path / "another-machine").exists()  # a shared key makes no key of this user's


def test_a_short_shared_key_seals_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHARED_KEY_VARIABLE, "short")
    project = _project(tmp_path)
    _forge(project, {sql_digest(OVERRIDE, True): [GOVERNED, None]}, key=b"short")
    forged = (project / "target" / CACHE_FILE).read_bytes()
    result = _invoke(project, "validate")
    assert (result.exit_code, REFUSAL in result.stdout) == (1, True)
    assert f"{SHARED_KEY_VARIABLE} is shorter than 32 characters" in result.stderr
    assert (project / "target" / CACHE_FILE).read_bytes() == forged  # without a key nothing is written


@pytest.mark.parametrize(
    ("cache_home", "problem"),
    [("a-file", "cannot make a key at"), ("relative/path", None)],
    ids=["cache-home-is-a-file", "relative-cache-home-is-ignored"],
)
def test_a_cache_home_that_cannot_hold_a_key_only_costs_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_home: str, problem: str | None
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / cache_home) if cache_home == "a-file" else cache_home)
    project = _project(tmp_path)
    result = _invoke(project, "validate")
    assert (result.exit_code, REFUSAL in result.stdout, "Traceback" in result.output) == (1, True, False)
    if problem is None:
        assert result.stderr == "" and (tmp_path / "home" / ".cache" / KEY_FILE).is_file()
    else:
        assert problem in result.stderr


def test_no_home_directory_only_costs_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(Path, "home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
    result = _invoke(_project(tmp_path), "validate")
    assert (result.exit_code, REFUSAL in result.stdout) == (1, True)
    assert "there is no home directory (set XDG_CACHE_HOME or HOME)" in result.stderr
