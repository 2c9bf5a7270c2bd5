"""Package vars are data, never SQL: the CLI judges the shared table of var values per adapter as the
table says (tests/integration/test_dialects.py holds the package's macro to the same table), words each
refusal with the var, the value and the rule, and `validate` refuses what the package would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from manifest_fixtures import FIXTURES, read_fixture
from project_support import load_project

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.declaration.access import everyone, read_privilege, setting_problems
from statsig_sources.declaration.settings import SettingOptions
from statsig_sources.rules import validate

TABLE = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "fixtures" / "contract" / "settings_cases.yaml").read_text(
        encoding="utf-8"
    )
)
ADAPTERS: list[str] = TABLE["adapters"]
CASES: list[dict[str, Any]] = TABLE["cases"]
POSTGRES_ROLE_RULE = (
    "a lower-case unquoted identifier (lower-case letters, digits, `_` and `$`, starting with a letter or "
    "`_`; at most 63 characters), since dbt's grants config writes the role unquoted and PostgreSQL folds "
    "an unquoted name to lower case"
)
EVERYONE_TAIL = (
    ": granting it would let everyone read the governed schema; list only the role(s) Statsig connects as"
)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_value_is_accepted_exactly_on_the_adapters_the_table_lists(case: dict[str, Any]) -> None:
    refused = {adapter: setting_problems({case["var"]: case["value"]}, adapter) for adapter in ADAPTERS}
    assert sorted(adapter for adapter, problems in refused.items() if not problems) == sorted(
        case["accepted_on"]
    )
    for problems in refused.values():
        assert all(problem.startswith(f"the var {case['var']}") for problem in problems), problems


def test_the_table_covers_every_adapter_s_rules_and_everyone_names() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)) and len(names) >= 40
    accepted = {adapter for case in CASES for adapter in case["accepted_on"]}
    assert accepted == set(ADAPTERS)


@pytest.mark.parametrize(
    ("adapter", "values", "expected"),
    [
        (
            "postgres",
            {"statsig_reader_roles": ["statsig_reader; grant all on schema public to evil; --"]},
            [
                'the var statsig_reader_roles has "statsig_reader; grant all on schema public to evil; --", '
                f"which is not a role name the package accepts on postgres: {POSTGRES_ROLE_RULE}"
            ],
        ),
        (
            "postgres",
            {"statsig_schema": 'x"; drop table public.victim; --'},
            [
                'the var statsig_schema has "x\\"; drop table public.victim; --", which is not a schema name '
                "the package accepts on postgres: letters, digits and `_`, starting with a letter or `_`; at "
                "most 63 characters"
            ],
        ),
        (
            "postgres",
            {"statsig_reader_roles": ["statsig_reader", "PUBLIC"]},
            [
                'the var statsig_reader_roles has "PUBLIC", which on postgres is PUBLIC, every role there is '
                f"and every role created later{EVERYONE_TAIL}"
            ],
        ),
        (
            "snowflake",
            {"statsig_reader_roles": ["public"]},
            [
                'the var statsig_reader_roles has "public", which on snowflake is PUBLIC, the role every '
                f"user and every role is granted{EVERYONE_TAIL}"
            ],
        ),
        (
            "databricks",
            {"statsig_reader_roles": ["account users", "public"]},
            [
                'the var statsig_reader_roles has "account users", which on databricks is `account users`, '
                f"the account group every user belongs to{EVERYONE_TAIL}",
                'the var statsig_reader_roles has "public", which on databricks is PUBLIC, everyone on the '
                "warehouses that have it (refused on every adapter, so that the vars mean the same on each "
                f"target){EVERYONE_TAIL}",
            ],
        ),
        (
            "bigquery",
            {"statsig_reader_roles": ["domain:example.com", "statsig_reader"]},
            [
                'the var statsig_reader_roles has "domain:example.com", which on bigquery is a whole Google '
                f"Workspace domain, every account in it{EVERYONE_TAIL}",
                'the var statsig_reader_roles has "statsig_reader", which is not a role name the package '
                "accepts on bigquery: an IAM member (`user:`, `group:` or `serviceAccount:`, then an email "
                "address), since dbt's grants config writes it between double quotes it cannot escape",
            ],
        ),
        (
            "duckdb",
            {"statsig_reader_roles": [5, " "], "statsig_schema": None},
            [
                "the var statsig_reader_roles[0] must be a non-empty string, not a number",
                "the var statsig_reader_roles[1] must be a non-empty string, not a blank string",
                "the var statsig_schema must be a non-empty string, not null",
            ],
        ),
        (
            "duckdb",
            {"statsig_reader_roles": {"a": 1}, "statsig_future_tolerance_minutes": "1) or (1=1"},
            [
                "the var statsig_reader_roles must be a list of non-empty strings, not a mapping",
                "the var statsig_future_tolerance_minutes must be a whole number of minutes, not "
                '"1) or (1=1"',
            ],
        ),
        (
            "postgres",
            {"statsig_reader_roles": ["{rule}"]},
            [
                'the var statsig_reader_roles has "{rule}", which is not a role name the package accepts on '
                f"postgres: {POSTGRES_ROLE_RULE}"
            ],
        ),
    ],
    ids=["injected-role", "injected-schema", "public", "snowflake-public", "databricks", "bigquery", "kinds",
         "shapes", "placeholder"],
)  # fmt: skip
def test_each_refusal_names_the_var_the_value_and_the_rule(
    adapter: str, values: dict[str, Any], expected: list[str]
) -> None:
    assert setting_problems(values, adapter) == expected


def test_the_read_privilege_and_the_everyone_names_come_from_the_contract() -> None:
    assert [read_privilege(adapter) for adapter in ("postgres", "bigquery", "oracle")] == [
        "select",
        "roles/bigquery.dataViewer",
        "select",
    ]
    assert everyone("specialGroup:allUsers", "bigquery") == "allUsers, anyone on the internet"
    assert everyone("USERS", "databricks") == "`users`, the workspace group every user belongs to"
    assert everyone("users", "postgres") is None


def _validate(path: Path, *options: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["validate", "--manifest", str(path), "--format", "json", *options])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


def _settings_messages(report: dict[str, Any]) -> list[str]:
    return [v["message"] for v in report["violations"] if v["rule"] == "settings"]


def test_validate_names_the_option_that_gave_a_refused_value() -> None:
    manifest = FIXTURES / "valid" / "postgres_production.json"
    code, report = _validate(manifest, "--statsig-role", "public", "--statsig-schema", "x; drop table t")
    assert code == 1
    assert _settings_messages(report) == [  # sorted, as validate reports every finding
        '--statsig-role has "public", which on postgres is PUBLIC, every role there is and every role '
        f"created later{EVERYONE_TAIL}",
        '--statsig-schema has "x; drop table t", which is not a schema name the package accepts on postgres: '
        "letters, digits and `_`, starting with a letter or `_`; at most 63 characters",
    ]


def _with_recorded(tmp_path: Path, recorded: dict[str, Any], adapter: str = "postgres") -> Path:
    data = read_fixture("valid/postgres_production.json")
    data["metadata"]["adapter_type"] = adapter
    # As a hand-edited manifest records them: with this release's version (an older package's manifest,
    # which records none, is refused for that before any rule: tests/python/test_versions.py).
    meta = data["nodes"]["model.shop.statsig_purchases"]["config"]["meta"]
    meta["statsig_sources"] = {"package_version": __version__, **recorded}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_validate_refuses_what_a_hand_edited_manifest_records_once_not_per_source(tmp_path: Path) -> None:
    roles = ["statsig_reader; grant all on schema public to evil; --"]
    manifest = _with_recorded(tmp_path, {"statsig_reader_roles": roles})
    code, report = _validate(manifest)
    assert code == 1
    assert _settings_messages(report) == [
        f"the var statsig_reader_roles has {json.dumps(roles[0])}, which is not a role name the package "
        f"accepts on postgres: {POSTGRES_ROLE_RULE}"
    ]


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        (
            {"statsig_reader_roles": 5},
            "the var statsig_reader_roles must be a list of non-empty strings, not a number",
        ),
        (
            {"statsig_reader_roles": [["x"]]},
            "the var statsig_reader_roles[0] must be a non-empty string, not a list",
        ),
        ({"statsig_schema": {"a": 1}}, "the var statsig_schema must be a non-empty string, not a mapping"),
    ],
    ids=["number", "nested-list", "mapping"],
)  # fmt: skip
def test_a_recorded_value_of_the_wrong_kind_is_a_finding_not_a_traceback(
    tmp_path: Path, recorded: dict[str, Any], expected: str
) -> None:
    code, report = _validate(_with_recorded(tmp_path, recorded))
    assert code == 1
    assert expected in _settings_messages(report)


def test_the_grants_rule_says_why_an_everyone_grantee_is_wrong(tmp_path: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"]["model.shop.statsig_purchases"]["config"]["grants"] = {
        "select": ["statsig_reader", "PUBLIC"]
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    messages = [v.message for v in validate(load_project(path, SettingOptions())) if v.rule == "grants"]
    assert messages == [
        "grants select to `PUBLIC`, which on postgres is PUBLIC, every role there is and every role created "
        "later: everyone can read it"
    ]


def test_the_grants_rule_reads_bigquery_s_viewer_role(tmp_path: Path) -> None:
    member = "serviceAccount:statsig@project.iam.gserviceaccount.com"
    data = read_fixture("valid/postgres_production.json")
    data["metadata"]["adapter_type"] = "bigquery"
    config = data["nodes"]["model.shop.statsig_purchases"]["config"]
    config["grants"] = {"roles/bigquery.dataViewer": [member]}
    config["meta"]["statsig_sources"] = {"package_version": __version__, "statsig_reader_roles": [member]}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rules = {v.rule for v in validate(load_project(path, SettingOptions())) if v.severity == "error"}
    assert not rules & {"grants", "settings"}
