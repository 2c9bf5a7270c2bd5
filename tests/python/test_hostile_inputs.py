"""Hostile input on the dbt side: text that cannot be encoded, nesting deeper than any parser reads,
a rendered file's name taken by a directory or a dangling link, and the checks `usage` makes before
its first request. Each case: the exit code, the message, and what was (not) sent or written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import read_fixture, run_results_document
from support import KEY, without_read_line

from statsig_sources.cli import main
from statsig_sources.registration.sources import SourcePayload, check_encodable
from statsig_sources.standin import FakeStatsig
from statsig_sources.support.errors import InputError

NODE = "model.shop.statsig_purchases"
WHERE = f"{NODE} (models/statsig/statsig_purchases.sql, models/statsig/_statsig__models.yml)"


def write_manifest(project: Path, data: dict[str, Any] | str) -> Path:
    (project / "target").mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data)  # json escapes a lone surrogate
    (project / "target" / "manifest.json").write_text(text, encoding="utf-8")
    if isinstance(data, dict):  # the build that wrote it, so build status is checked
        results = json.dumps(run_results_document(data))
        (project / "target" / "run_results.json").write_text(results, encoding="utf-8")
    return project


def with_node(edit: Any) -> dict[str, Any]:
    data = read_fixture("valid/postgres_production.json")
    edit(data["nodes"][NODE])
    return data


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env)


# --- text that cannot be encoded ---------------------------------------------------------------------


def _declare(key: str, value: Any) -> Any:
    return lambda node: node["config"]["meta"]["statsig"].__setitem__(key, value)


SURROGATES = [
    (_declare("description", "Purchases \ud800 net"), "meta.statsig.description", "U+D800 at character 11"),
    (_declare("tags", ["revenue", "x\udfff"]), "meta.statsig.tags", "U+DFFF at character 2"),
    (_declare("filter", "country = '\ud83d'"), "meta.statsig.filter", "U+D83D at character 12"),
    (
        lambda node: node.__setitem__("description", "\udc80"),
        "the model's description",
        "U+DC80 at character 1",
    ),
]


@pytest.mark.parametrize(("edit", "what", "where"), SURROGATES, ids=[what for _, what, _ in SURROGATES])
@pytest.mark.parametrize("command", ["validate", "render", "plan", "apply", "usage"])
def test_a_lone_surrogate_is_a_finding_naming_model_and_key_and_nothing_is_sent_or_written(
    fake: FakeStatsig, tmp_path: Path, command: str, edit: Any, what: str, where: str
) -> None:
    project = write_manifest(tmp_path, with_node(edit))
    result = invoke(fake, project, command)
    assert result.exit_code == 1
    line = (
        f"error: [declaration] {WHERE}: {what} holds text that cannot be encoded as UTF-8 "
        f"({where}, a lone surrogate)\n"
    )
    assert without_read_line(result.stdout).startswith(line)
    assert "Traceback" not in result.output
    assert fake.requests == []
    assert not (project / "metric_sources").exists()


def test_payloads_are_all_encoded_before_the_first_is_sent() -> None:
    good = SourcePayload("a", "model.p.a", {"name": "a", "description": "fine"})
    bad = SourcePayload("b", "model.p.b", {"name": "b", "description": "x\ud800"})
    nan = SourcePayload("c", "model.p.c", {"name": "c", "value": float("nan")})
    with pytest.raises(InputError) as caught:
        check_encodable([good, bad, nan], "No request was sent to Statsig.")
    assert str(caught.value) == (
        "Cannot encode the payload of b (model.p.b): 'utf-8' codec can't encode character '\\ud800' in "
        "position 31: surrogates not allowed; c (model.p.c): Out of range float values are not JSON "
        "compliant. No request was sent to Statsig."
    )


# --- nesting deeper than any parser reads -------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "render", "plan", "usage"])
def test_a_manifest_of_200000_brackets_is_a_bad_manifest(
    fake: FakeStatsig, tmp_path: Path, command: str
) -> None:
    project = write_manifest(tmp_path, "[" * 200_000)
    result = invoke(fake, project, command)
    path = project / "target" / "manifest.json"
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: cannot read manifest {path}: it nests arrays or objects deeper than this tool reads "
        f"(about {sys.getrecursionlimit():,} levels); dbt never writes such a file\n"
    )
    assert fake.requests == []


def test_a_catalog_of_200000_braces_is_a_bad_catalog(fake: FakeStatsig, project: Path) -> None:
    (project / "target" / "catalog.json").write_text('{"a":' * 200_000)
    result = invoke(fake, project, "validate")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: cannot read catalog {project / 'target' / 'catalog.json'}: it nests"
    )


DEEP = 3_000
DEEP_SQL = [
    (
        _declare("filter", "(" * DEEP + "country = 'NL'" + ")" * DEEP),
        "user_sql",
        "its filter does not parse as postgres",
    ),
    (
        _declare(
            "sql",
            "select user_id, stable_id, timestamp, value, item_count, country from "
            '"analytics"."statsig_staging"."statsig_purchases" where ' + "(" * DEEP + "1 = 1" + ")" * DEEP,
        ),
        "user_sql",
        "its sql override does not parse as postgres",
    ),
    (
        lambda node: node.__setitem__("compiled_code", "select " + "(" * DEEP + "1" + ")" * DEEP + " as x"),
        "lineage",
        "its compiled SQL does not parse as postgres",
    ),
]


@pytest.mark.parametrize(
    ("edit", "rule", "message"), DEEP_SQL, ids=["filter", "sql-override", "compiled-code"]
)
def test_3000_nested_parentheses_are_a_collected_finding(
    fake: FakeStatsig, tmp_path: Path, edit: Any, rule: str, message: str
) -> None:
    project = write_manifest(tmp_path, with_node(edit))
    result = invoke(fake, project, "validate")
    assert result.exit_code == 1
    assert without_read_line(result.stdout) == (
        f"error: [{rule}] {WHERE}: {message}: it nests too deeply for the SQL parser (3,000 levels of "
        "parentheses)\n1 metric source checked: 1 error.\n"
    )


def test_deep_nesting_inside_a_declaration_is_a_type_finding(fake: FakeStatsig, tmp_path: Path) -> None:
    nested: Any = "x"
    for _ in range(500):
        nested = [nested]
    project = write_manifest(tmp_path, with_node(_declare("tags", nested)))
    result = invoke(fake, project, "validate")
    assert result.exit_code == 1
    assert without_read_line(result.stdout) == (
        f"error: [declaration] {WHERE}: meta.statsig.tags must be a list of non-empty strings, not a list\n"
        "1 metric source checked: 1 error.\n"
    )


# --- render: a file name taken by something that is not a file -----------------------------------------


@pytest.mark.parametrize("kind", ["directory", "dangling-link"])
@pytest.mark.parametrize("check", [False, True], ids=["render", "render-check"])
def test_render_refuses_a_file_name_taken_by_a_directory_or_a_dangling_link(
    project: Path, kind: str, check: bool
) -> None:
    output = project / "metric_sources"
    output.mkdir()
    taken = output / "statsig_purchases.yml"
    if kind == "directory":
        taken.mkdir()
        what = "is a directory"
    else:
        taken.symlink_to(project / "nowhere.yml")
        what = "is a symbolic link to a file that does not exist"
    result = CliRunner().invoke(
        main, ["render", "--project-dir", str(project), *(["--check"] if check else [])]
    )
    assert (result.exit_code, without_read_line(result.stdout)) == (2, "")
    assert (
        result.stderr
        == f"Error: cannot render into {output}: statsig_purchases.yml {what}: remove or rename it\n"
    )
    assert sorted(path.name for path in output.iterdir()) == ["statsig_purchases.yml"]
    assert taken.is_dir() if kind == "directory" else taken.is_symlink() and not taken.exists()


def test_render_leaves_a_dangling_link_it_did_not_write(project: Path) -> None:
    output = project / "metric_sources"
    output.mkdir()
    (output / "old.yml").symlink_to(project / "nowhere.yml")
    result = CliRunner().invoke(main, ["render", "--project-dir", str(project)])
    assert (result.exit_code, without_read_line(result.stdout)) == (
        0,
        "wrote: metric_sources/statsig_purchases.yml\nmetric_sources/: 1 written, 0 removed, 0 unchanged.\n",
    )
    assert (output / "old.yml").is_symlink()


# --- usage: checked before any request ---------------------------------------------------------------


def test_usage_refuses_declarations_that_do_not_parse_before_any_request(
    fake: FakeStatsig, dbt_project: Any
) -> None:
    result = invoke(fake, dbt_project("invalid/declaration__wrong_type.json"), "usage")
    assert result.exit_code == 1
    assert without_read_line(result.stdout) == (
        f"error: [declaration] {WHERE}: meta.statsig.unit_ids must map at least one column to a Statsig "
        "unit type\n"
        "1 metric source checked: 1 error.\nusage refused: no request was sent to Statsig.\n"
    )
    assert fake.requests == []


def test_usage_refuses_an_unsupported_adapter_as_validate_does(fake: FakeStatsig, tmp_path: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["metadata"]["adapter_type"] = "sqlserver"
    project = write_manifest(tmp_path, data)
    results = [invoke(fake, project, command) for command in ("validate", "usage")]
    assert [(r.exit_code, r.stderr.split(":")[:2]) for r in results] == [
        (2, ["Error", " adapter 'sqlserver' is not supported for SQL checks (supported"])
    ] * 2
    assert fake.requests == []


@pytest.mark.parametrize(
    ("fixture", "warning"),
    [
        (
            "valid/duckdb_developer_schema.json",
            "warning: [governed_schema] metric sources are built in `dbt_alice_statsig_staging`, not in "
            "the production governed schema",
        ),
        ("invalid/grants__other_grantee.json", f"warning: [grants] {WHERE}: grants select to `analyst`"),
    ],
    ids=["developer-schema-warning", "governance-error-as-warning"],
)
def test_usage_reports_other_findings_as_warnings_and_carries_on(
    fake: FakeStatsig, dbt_project: Any, fixture: str, warning: str
) -> None:
    result = invoke(fake, dbt_project(fixture), "usage", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["unused"] == ["statsig_purchases"]
    assert result.stderr.startswith(warning)
    assert [r.path for r in fake.requests] == [
        "/console/v1/metrics/metric_source/list",
        "/console/v1/metrics/list",
    ]


def test_usage_refuses_a_declaration_whose_metric_the_contract_refuses(
    fake: FakeStatsig, dbt_project: Any
) -> None:
    """Not parsed, the declaration's source_name is unknown: usage would match Statsig's sources under
    the model's name instead."""
    result = invoke(fake, dbt_project("invalid/metric_columns__source_column_removed.json"), "usage")
    assert result.exit_code == 1
    assert "error: [metric_columns] model.shop.statsig_purchases" in result.stdout
    assert result.stdout.endswith("usage refused: no request was sent to Statsig.\n")
    assert fake.requests == []
