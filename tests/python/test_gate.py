"""One gate (declaration/admission.py, rules/gate.py): every command decides in one place whether a
declaration is usable and under which name, so `validate`, `render`, `plan`, `apply`, `usage` and
`reload` agree on every invalid fixture, and a problem in one source is reported once, under its
declared name."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import FIXTURES, INVALID, read_fixture, run_results_document
from project_support import load_project
from support import KEY

from statsig_sources.cli import main
from statsig_sources.declaration.settings import Settings
from statsig_sources.rules import validate
from statsig_sources.rules.gate import unidentified
from statsig_sources.standin import FakeStatsig

COMMANDS = ("validate", "render", "plan", "apply", "usage", "reload")
# The invalid fixtures whose sources no command may act on: a declaration the contract refuses (its
# name kept as declared), or a source name two models declare. Every other fixture's sources are
# identified: `usage` and `reload` go on, and only `validate`'s other rules refuse the rest.
UNIDENTIFIED = {
    "declaration__bad_granularity",
    "declaration__missing_required_key",
    "declaration__reserved_column_name",
    "declaration__unknown_key",
    "declaration__wrong_type",
    "duplicate_source_names__two_models",
    "metric_columns__source_column_removed",
    "reserved_tags__another_projects_marker",
    "source_name__refused_characters",
    "unit_types__unlisted_custom_type",
}


def invoke(fake: FakeStatsig, project: Path, command: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = [command, "--project-dir", str(project)]
    if command == "apply":
        args.append("--yes")
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def errors(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_the_gate_refuses_exactly_the_unidentified_fixtures(path: Path) -> None:
    project = load_project(path, Settings())
    found = unidentified(project)
    assert bool(found) is (path.stem in UNIDENTIFIED)
    # What the gate refuses is what validate reports, rule and words alike.
    assert set(found) <= set(validate(project))
    assert all(source.admission.usable for source in project.sources) is (
        path.stem in {"duplicate_source_names__two_models"} or path.stem not in UNIDENTIFIED
    )


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_every_command_agrees_with_the_gate_on_every_invalid_fixture(
    fake: FakeStatsig, dbt_project: Callable[..., Path], path: Path, command: str
) -> None:
    project_dir = dbt_project(f"invalid/{path.name}")
    gate = [f"error: [{v.rule}] {v.node_id} ({', '.join(v.files)}): {v.message}" for v in _gate(path)]
    result = invoke(fake, project_dir, command)
    assert "Traceback" not in result.output
    refused_line = f"{command} refused: "
    if command == "validate":
        assert result.exit_code == 1
        assert set(gate) <= set(errors(result))
        assert f"checked: {len(errors(result))} error" in result.stdout.splitlines()[-1]
    elif command in ("render", "plan", "apply") or path.stem in UNIDENTIFIED:
        assert result.exit_code == 1, result.output
        assert result.stdout.splitlines()[-1].startswith(refused_line)
        assert set(gate) <= set(errors(result))
        if command in ("usage", "reload"):
            assert errors(result) == gate  # the gate's findings, and nothing else refuses a reader
        assert fake.requests == []
        assert not (project_dir / "metric_sources").exists()
    else:
        assert gate == []
        assert refused_line not in result.stdout
        assert errors(result) == []
        if command == "usage":
            assert fake.count("GET", "/metrics/list") == 1, result.output  # it went on to read Statsig
        else:
            assert result.stdout.splitlines()[-1].startswith("Reload: "), result.output


def _gate(path: Path) -> list[Any]:
    return unidentified(load_project(path, Settings()))


# --- names: one source, one name, in every command ---------------------------------------------------


def _broken_denominator(tmp_path: Path, break_it: Callable[[dict[str, Any]], None]) -> Path:
    """valid/metrics_across_sources.json, whose ratio `Revenue per minute` divides by source
    `sessions`, with `sessions`' declaration broken by `break_it`."""
    manifest = read_fixture("valid/metrics_across_sources.json")
    break_it(manifest["nodes"]["model.shop.statsig_sessions"]["config"]["meta"]["statsig"])
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "target" / "run_results.json").write_text(json.dumps(run_results_document(manifest)))
    return tmp_path


def _unlisted_unit_type(statsig: dict[str, Any]) -> None:
    statsig["unit_ids"] = {"user_id": "companyID"}


def _unknown_key(statsig: dict[str, Any]) -> None:
    statsig["colour"] = "blue"


@pytest.mark.parametrize("break_it", [_unlisted_unit_type, _unknown_key], ids=["unit-type", "unknown-key"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_broken_denominator_source_is_reported_once_under_its_declared_name(
    fake: FakeStatsig, tmp_path: Path, command: str, break_it: Callable[[dict[str, Any]], None]
) -> None:
    project_dir = _broken_denominator(tmp_path, break_it)
    statsig = read_fixture("valid/metrics_across_sources.json")["nodes"]["model.shop.statsig_sessions"]
    assert statsig["config"]["meta"]["statsig"]["source_name"] == "sessions"
    result = invoke(fake, project_dir, command)
    assert result.exit_code == 1
    found = errors(result)
    # The broken source, and nothing about the ratio that divides by it: the user fixes `sessions`.
    assert len(found) == 1, found
    assert found[0].startswith("error: [") and "model.shop.statsig_sessions" in found[0]
    assert "denominator.source" not in result.stdout
    assert "declared: " not in result.stdout
    assert fake.requests == []


def test_a_denominator_naming_no_source_lists_the_declared_names_not_model_names(tmp_path: Path) -> None:
    def rename(statsig: dict[str, Any]) -> None:
        statsig["metrics"][1]["denominator"]["source"] = "session"

    manifest = read_fixture("valid/metrics_across_sources.json")
    rename(manifest["nodes"]["model.shop.statsig_purchases"]["config"]["meta"]["statsig"])
    _unlisted_unit_type(manifest["nodes"]["model.shop.statsig_sessions"]["config"]["meta"]["statsig"])
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    found = [(v.rule, v.message) for v in validate(load_project(path, Settings())) if v.severity == "error"]
    assert ("metric_sources", _denominator_message("session", "purchases, sessions")) in found


def _denominator_message(name: str, declared: str) -> str:
    return (
        f"meta.statsig.metrics[Revenue per minute].denominator.source `{name}` is not a metric source "
        f"declared in this project (declared: {declared})"
    )


def test_a_source_name_that_is_not_text_names_no_source(tmp_path: Path) -> None:
    manifest = read_fixture("valid/metrics_across_sources.json")
    manifest["nodes"]["model.shop.statsig_sessions"]["config"]["meta"]["statsig"]["source_name"] = 7
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    project = load_project(path, Settings())
    assert [(s.model.name, s.admission.name) for s in project.sources] == [
        ("statsig_purchases", "purchases"),
        ("statsig_sessions", None),
    ]
    found = [v.message for v in validate(project) if v.rule == "metric_sources"]
    assert found == [
        _denominator_message("sessions", "purchases")
        + "; the source_name of model.shop.statsig_sessions cannot be read"
    ]


def test_every_command_names_each_source_as_the_gate_does(
    fake: FakeStatsig, dbt_project: Callable[..., Path]
) -> None:
    project_dir = dbt_project("valid/metrics_across_sources.json")
    names = [source.name for source in load_project(project_dir / "target" / "manifest.json").sources]
    assert names == ["purchases", "sessions"]  # their models: statsig_purchases, statsig_sessions
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}

    def run(*args: str) -> Any:
        result = CliRunner().invoke(main, [*args, "--project-dir", str(project_dir)], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if "json" in args else result

    plan = run("plan", "--format", "json")
    assert [i["name"] for i in plan["items"] if i["kind"] == "source"] == names
    run("render")
    assert sorted(p.stem for p in (project_dir / "metric_sources").glob("*.yml")) == names
    assert [s["name"] for s in run("usage", "--format", "json")["sources"]] == names
    reload = run("reload", "--format", "json", "--dry-run")
    assert [(s["name"], s["reloaded"]) for s in reload["sources"]] == [(name, True) for name in names]


def test_fixture_table_names_real_fixtures() -> None:
    assert UNIDENTIFIED <= {path.stem for path in (FIXTURES / "invalid").glob("*.json")}
