"""The package's SQL for warehouses that cannot run here, compiled by each one's real dbt adapter
offline (tests/fixtures/dialect_project: dummy credentials, `dbt compile --no-populate-cache`, every
source declaring `timestamp_type` so no type probe queries the warehouse) and parsed with sqlglot in
that warehouse's dialect: 64-bit doubles, the canonical timestamp type, quoted identifiers in the
warehouse's case, the UTC conversion of offset-aware input and of ISO 8601 text, the grants dbt would
run (relation SELECT from the grants config the package sets, and the schema USAGE grant) with each
warehouse's real kinds of Statsig principal, and the package vars the macros refuse, exactly as the
CLI does."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml
from dbt_harness import DbtProject, copy_consumer_project
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from statsig_sources.declaration.access import setting_problems
from statsig_sources.declaration.contract import type_family
from statsig_sources.sql.parse import query_reads

pytestmark = pytest.mark.dbt

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "dialect_project"
DIALECTS = ["snowflake", "bigquery", "databricks", "redshift", "trino"]

# sqlglot's type for the casts each dialect's source emits: unit ids, measures, `timestamp`. BigQuery's
# and Databricks' TIMESTAMP is an instant (sqlglot's TIMESTAMPTZ), UTC on BigQuery always and on
# Databricks in the UTC session its SQL warehouses default to; elsewhere it is naive UTC.
TYPES = {
    "snowflake": ("TEXT", "DOUBLE", "TIMESTAMPNTZ"),
    "bigquery": ("TEXT", "DOUBLE", "TIMESTAMPTZ"),
    "databricks": ("TEXT", "DOUBLE", "TIMESTAMPTZ"),
    "redshift": ("TEXT", "DOUBLE", "TIMESTAMP"),
    "trino": ("VARCHAR", "DOUBLE", "TIMESTAMP"),
}
PURCHASE_COLUMNS = ["user_id", "company_id", "timestamp", "value", "quantity", "country"]
# The Statsig principals each warehouse's deployments use: Snowflake roles (upper case), BigQuery IAM
# members, Databricks users' emails and group names with spaces, Redshift users and groups, Trino users.
READERS = {
    "snowflake": ["STATSIG_READER"],
    "bigquery": [
        "serviceAccount:statsig@offline-project.iam.gserviceaccount.com",
        "group:experiments@example.com",
    ],
    "databricks": ["statsig@example.com", "Data Science"],
    "redshift": ["statsig_reader", "group statsig_readers"],
    "trino": ["statsig_reader"],
}
# The grants dbt would run on a source (from the grants config the package set, through the adapter's
# own get_grant_sql) and the package's schema USAGE grants: one statement per line.
RELATION_GRANTS = {
    "snowflake": ["grant select on analytics.statsig_staging.statsig_purchases to STATSIG_READER"],
    "bigquery": [
        "grant `roles/bigquery.dataViewer` on view `offline-project`.`statsig_staging`.`statsig_purchases` "
        'to "serviceAccount:statsig@offline-project.iam.gserviceaccount.com", "group:experiments@example.com"'
    ],
    "databricks": [
        "grant select on `main`.`statsig_staging`.`statsig_purchases` to `statsig@example.com`",
        "grant select on `main`.`statsig_staging`.`statsig_purchases` to `Data Science`",
    ],
    "redshift": [
        'grant select on "analytics"."statsig_staging"."statsig_purchases" to statsig_reader, '
        "group statsig_readers"
    ],
    "trino": ['grant select on "hive"."statsig_staging"."statsig_purchases" to "statsig_reader"'],
}
SCHEMA_USAGE = {
    "snowflake": ["grant usage on schema analytics.statsig_staging to role STATSIG_READER"],
    "bigquery": [],
    "databricks": [
        "grant use schema on schema `main`.`statsig_staging` to `statsig@example.com`",
        "grant use schema on schema `main`.`statsig_staging` to `Data Science`",
    ],
    "redshift": [
        'grant usage on schema "statsig_staging" to statsig_reader',
        'grant usage on schema "statsig_staging" to group statsig_readers',
    ],
    "trino": [],
}
# How each principal reads back once sqlglot parsed the statement in the warehouse's dialect.
PRINCIPALS = {
    "snowflake": (["STATSIG_READER"], ["ROLE STATSIG_READER"]),
    "bigquery": (
        [
            "`serviceAccount:statsig@offline-project.iam.gserviceaccount.com`",
            "`group:experiments@example.com`",
        ],
        [],
    ),
    "databricks": (["`statsig@example.com`", "`Data Science`"], ["`statsig@example.com`", "`Data Science`"]),
    "redshift": (["statsig_reader", "GROUP statsig_readers"], ["statsig_reader", "GROUP statsig_readers"]),
    "trino": (['"statsig_reader"'], []),
}
SETTINGS_TABLE = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "fixtures" / "contract" / "settings_cases.yaml").read_text(
        encoding="utf-8"
    )
)
# Values an attacker or a careless user would set, refused on every adapter before any SQL is built.
HOSTILE = {
    "statsig_schema": 'x"; drop table victim; --',
    "statsig_reader_roles": [
        "statsig_reader; grant all on schema public to evil; --",
        'x" to evil; --',
        "x` to evil; --",
        "PUBLIC",
    ],
}
EVERYONE = {
    "snowflake": [],
    "bigquery": ["allUsers", "specialGroup:allAuthenticatedUsers", "domain:example.com"],
    "databricks": ["users", "account users"],
    "redshift": ["group public"],
    "trino": [],
}


@pytest.fixture(scope="module")
def dialect_project(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    project_dir = copy_consumer_project(FIXTURE, tmp_path_factory.mktemp("dialects") / "project", repo_root)
    project = DbtProject(project_dir)
    deps = project.invoke("deps")
    assert deps.success, deps.exception
    return project


def _require_adapter(dialect: str) -> None:
    if importlib.util.find_spec(f"dbt.adapters.{dialect}") is None:
        reason = f"dbt-{dialect} is not installed (pip install -e '.[dialects]')"
        if os.environ.get("REQUIRE_DIALECTS") == "1":
            pytest.fail(reason + " (REQUIRE_DIALECTS=1)")
        pytest.skip(reason)


@pytest.fixture(scope="module", params=DIALECTS)
def compiled(request: pytest.FixtureRequest, dialect_project: DbtProject) -> tuple[str, dict[str, str]]:
    """(dialect, compiled SQL by model name), from that adapter's own `dbt compile`, offline, with the
    Statsig principals that warehouse uses and the shared table of var values for the probe to judge."""
    dialect: str = request.param
    _require_adapter(dialect)
    target = dialect_project.project_dir / f"target_{dialect}"
    variables = {"statsig_reader_roles": READERS[dialect], "statsig_settings_cases": SETTINGS_TABLE["cases"]}
    result = dialect_project.invoke(
        "compile", "--no-populate-cache", "--target", dialect, "--target-path", str(target),
        "--vars", json.dumps(variables),
    )  # fmt: skip
    assert result.success, result.exception
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    return dialect, {
        node["name"]: node["compiled_code"] for node in nodes.values() if node["resource_type"] == "model"
    }


def _select(sql: str, dialect: str) -> exp.Select:
    [statement] = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
    assert isinstance(statement, exp.Select)
    return statement


def _projections(sql: str, dialect: str) -> dict[str, exp.Expression]:
    """Each output column's expression by alias, asserting every alias is a quoted identifier."""
    select = _select(sql, dialect)
    for projection in select.expressions:
        assert isinstance(projection, exp.Alias) and projection.args["alias"].quoted, projection.sql(dialect)
    return {projection.alias: projection.this for projection in select.expressions}


def _case(names: list[str], dialect: str) -> list[str]:
    return [name.upper() if dialect == "snowflake" else name for name in names]


def _cast_type(expression: exp.Expression) -> str:
    assert isinstance(expression, exp.Cast), expression
    return str(expression.to.this.name)


def test_sources_emit_quoted_canonical_columns_in_the_warehouse_case(
    compiled: tuple[str, dict[str, str]],
) -> None:
    dialect, sql = compiled
    assert list(_projections(sql["statsig_purchases"], dialect)) == _case(PURCHASE_COLUMNS, dialect)
    assert list(_projections(sql["statsig_daily_usage"], dialect)) == _case(
        ["user_id", "timestamp", "minutes"], dialect
    )


def test_sources_cast_unit_ids_to_strings_measures_to_64_bit_doubles_and_the_timestamp_canonically(
    compiled: tuple[str, dict[str, str]],
) -> None:
    dialect, sql = compiled
    string, double, timestamp = TYPES[dialect]
    columns = _projections(sql["statsig_purchases"], dialect)
    user_id, company_id, ts, value, quantity = _case(
        ["user_id", "company_id", "timestamp", "value", "quantity"], dialect
    )
    assert [_cast_type(columns[name]) for name in (user_id, company_id)] == [string, string]
    assert [_cast_type(columns[name]) for name in (value, quantity)] == [double, double]
    assert _cast_type(columns[ts]) == timestamp
    # A dimension passes through unchanged.
    assert isinstance(columns[_case(["country"], dialect)[0]], exp.Column)


def _utc_conversion(dialect: str, expression: exp.Expression) -> bool:
    """Whether the timestamp expression converts an offset-aware value to UTC, the dialect's way."""
    if dialect == "snowflake":
        return any(
            node.text("tz") == "UTC" or "UTC" in node.sql(dialect)
            for node in expression.find_all(exp.ConvertTimezone)
        )
    if dialect in ("redshift", "trino"):
        return any(node.args["zone"].name == "UTC" for node in expression.find_all(exp.AtTimeZone))
    if dialect == "databricks":
        return "to_utc_timestamp(" in expression.sql("databricks").lower()
    return False


@pytest.mark.parametrize(("model", "converted"), [("statsig_purchases", True), ("statsig_app_events", False)])
def test_offset_aware_timestamps_are_converted_to_utc_and_naive_ones_are_not(
    compiled: tuple[str, dict[str, str]], model: str, converted: bool
) -> None:
    dialect, sql = compiled
    timestamp = _projections(sql[model], dialect)[_case(["timestamp"], dialect)[0]]
    # BigQuery's TIMESTAMP is always UTC: there is nothing to convert.
    assert _utc_conversion(dialect, timestamp) == (converted and dialect != "bigquery")
    if not converted or dialect == "bigquery":
        assert isinstance(timestamp.this.unnest(), exp.Column)


def test_a_day_grain_is_the_date_at_midnight_in_the_canonical_type(
    compiled: tuple[str, dict[str, str]],
) -> None:
    dialect, sql = compiled
    timestamp = _projections(sql["statsig_daily_usage"], dialect)[_case(["timestamp"], dialect)[0]]
    assert _cast_type(timestamp) == TYPES[dialect][2]
    assert _cast_type(timestamp.this) == "DATE"


def _statements(sql: str) -> list[str]:
    return [line for line in sql.strip().split(";\n") if line]


def _principals(statements: list[str], dialect: str) -> list[str]:
    """Each statement parsed alone in the dialect: exactly one GRANT, whose principals are returned."""
    found = []
    for text in statements:
        [statement] = sqlglot.parse(text, read=dialect, error_level=ErrorLevel.RAISE)
        assert isinstance(statement, exp.Grant), text
        found += [principal.sql(dialect) for principal in statement.args["principals"]]
    return found


def test_schema_usage_grant_is_the_warehouse_s_own_statement(compiled: tuple[str, dict[str, str]]) -> None:
    dialect, sql = compiled
    grants = _statements(sql["schema_usage"])
    assert grants == SCHEMA_USAGE[dialect]
    assert _principals(grants, dialect) == PRINCIPALS[dialect][1]


def test_a_schema_name_holding_quotes_stays_one_name_in_the_usage_grant(
    compiled: tuple[str, dict[str, str]],
) -> None:
    dialect, sql = compiled
    grants = _statements(sql["schema_usage_quoting"])
    names = ['x"; drop table t; --', "y`; drop table t; --"]
    assert len(grants) == len(names) * len(READERS[dialect]) * bool(SCHEMA_USAGE[dialect])
    for text in grants:
        [statement] = sqlglot.parse(text, read=dialect, error_level=ErrorLevel.RAISE)
        assert isinstance(statement, exp.Grant), text
        assert statement.args["securable"].name in names, text
    assert _principals(grants, dialect) == PRINCIPALS[dialect][1] * len(names)


def test_relation_grants_name_each_principal_as_one_grantee(compiled: tuple[str, dict[str, str]]) -> None:
    dialect, sql = compiled
    grants = _statements(sql["relation_grants"])
    assert grants == RELATION_GRANTS[dialect]
    assert _principals(grants, dialect) == PRINCIPALS[dialect][0]


# Off production (a developer's or a CI target), the same sources land in `<target schema>_statsig_staging`
# and are granted to the roles in statsig_non_production_reader_roles only: here a CI principal of each
# warehouse's kind, or nobody (the default). Statsig's own principals (READERS) appear in neither.
CI_READERS = {
    "snowflake": ["STATSIG_CI"],
    "bigquery": ["serviceAccount:statsig-ci@offline-project.iam.gserviceaccount.com"],
    "databricks": ["statsig-ci@example.com"],
    "redshift": ["statsig_ci"],
    "trino": ["statsig_ci"],
}
CI_RELATION_GRANTS = {
    "snowflake": ["grant select on analytics.analytics_statsig_staging.statsig_purchases to STATSIG_CI"],
    "bigquery": [
        "grant `roles/bigquery.dataViewer` on view `offline-project`.`analytics_statsig_staging`."
        '`statsig_purchases` to "serviceAccount:statsig-ci@offline-project.iam.gserviceaccount.com"'
    ],
    "databricks": [
        "grant select on `main`.`analytics_statsig_staging`.`statsig_purchases` to `statsig-ci@example.com`"
    ],
    "redshift": ['grant select on "analytics"."analytics_statsig_staging"."statsig_purchases" to statsig_ci'],
    "trino": ['grant select on "hive"."analytics_statsig_staging"."statsig_purchases" to "statsig_ci"'],
}
CI_SCHEMA_USAGE = {
    "snowflake": ["grant usage on schema analytics.statsig_staging to role STATSIG_CI"],
    "bigquery": [],
    "databricks": ["grant use schema on schema `main`.`statsig_staging` to `statsig-ci@example.com`"],
    "redshift": ['grant usage on schema "statsig_staging" to statsig_ci'],
    "trino": [],
}


@pytest.fixture(
    scope="module",
    params=[(d, ci) for d in DIALECTS for ci in (False, True)],
    ids=[f"{d}-{'ci-role' if ci else 'nobody'}" for d in DIALECTS for ci in (False, True)],
)
def compiled_off_production(
    request: pytest.FixtureRequest, dialect_project: DbtProject
) -> tuple[str, bool, dict[str, Any]]:
    """(dialect, whether a CI role is set, the grant probes and the source's recorded meta), from a
    compile on a target that statsig_production_targets does not list."""
    dialect, ci = request.param
    _require_adapter(dialect)
    target = dialect_project.project_dir / f"target_{dialect}_{'ci' if ci else 'nobody'}"
    variables = {
        "statsig_production_targets": ["prod"],
        "statsig_reader_roles": READERS[dialect],
        "statsig_non_production_reader_roles": CI_READERS[dialect] if ci else [],
    }
    result = dialect_project.invoke(
        "compile", "--no-populate-cache", "--target", dialect, "--target-path", str(target),
        "--select", "relation_grants", "schema_usage", "--vars", json.dumps(variables),
    )  # fmt: skip
    assert result.success, result.exception
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    by_name = {node["name"]: node for node in nodes.values() if node["resource_type"] == "model"}
    source = by_name["statsig_purchases"]
    return (
        dialect,
        ci,
        {
            "relation_grants": by_name["relation_grants"]["compiled_code"],
            "schema_usage": by_name["schema_usage"]["compiled_code"],
            "schema": source["schema"],
            "recorded": source["config"]["meta"]["statsig_sources"],
        },
    )


def test_off_production_the_grants_go_to_the_non_production_roles_only(
    compiled_off_production: tuple[str, bool, dict[str, Any]],
) -> None:
    dialect, ci, compiled = compiled_off_production
    assert compiled["schema"] == "analytics_statsig_staging"
    relation, usage = _statements(compiled["relation_grants"]), _statements(compiled["schema_usage"])
    assert relation == (CI_RELATION_GRANTS[dialect] if ci else [])
    assert usage == (CI_SCHEMA_USAGE[dialect] if ci else [])
    for principal in READERS[dialect]:
        assert principal not in compiled["relation_grants"] + compiled["schema_usage"]
    assert compiled["recorded"]["granted_roles"] == (CI_READERS[dialect] if ci else [])
    assert compiled["recorded"]["statsig_reader_roles"] == READERS[dialect]


def test_on_production_the_package_records_statsig_s_roles_as_granted(
    compiled: tuple[str, dict[str, str]], dialect_project: DbtProject
) -> None:
    dialect, _ = compiled
    manifest = dialect_project.project_dir / f"target_{dialect}" / "manifest.json"
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    recorded = nodes["model.statsig_dialects.statsig_purchases"]["config"]["meta"]["statsig_sources"]
    assert (recorded["target"], recorded["granted_roles"]) == (dialect, READERS[dialect])


def test_the_macro_refuses_exactly_what_the_cli_refuses(compiled: tuple[str, dict[str, str]]) -> None:
    dialect, sql = compiled
    judged = json.loads(sql["setting_problems"])
    cases = SETTINGS_TABLE["cases"]
    assert judged == {case["name"]: setting_problems({case["var"]: case["value"]}, dialect) for case in cases}
    assert sorted(name for name, problems in judged.items() if not problems) == sorted(
        case["name"] for case in cases if dialect in case["accepted_on"]
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_hostile_vars_fail_the_parse_naming_every_var_value_and_rule(
    dialect_project: DbtProject, dialect: str
) -> None:
    _require_adapter(dialect)
    variables = {**HOSTILE, "statsig_reader_roles": [*HOSTILE["statsig_reader_roles"], *EVERYONE[dialect]]}
    result = dialect_project.invoke(
        "parse", "--target", dialect,
        "--target-path", str(dialect_project.project_dir / f"hostile_{dialect}"),
        "--vars", json.dumps(variables),
    )  # fmt: skip
    assert not result.success
    message = str(result.exception)
    expected = setting_problems(variables, dialect)
    assert len(expected) == 1 + len(variables["statsig_reader_roles"])
    assert f"statsig_sources: refused package vars on the {dialect} target '{dialect}'" in message
    assert message.count("\n    - ") == len(expected), message
    for problem in expected:
        assert problem in message


# Type names as each warehouse reports them, and the family the package gives them there. Snowflake's
# FLOAT and REAL are 64-bit, BigQuery's API calls FLOAT64 `FLOAT`; elsewhere both are 32-bit.
FAMILIES = {
    "DOUBLE": "double",
    "FLOAT64": "double",
    "double precision": "double",
    "STRING": "string",
    "TEXT": "string",
    "VARCHAR(16777216)": "string",
    "TIMESTAMP_TZ": "timestamp_tz",
    "TIMESTAMP_LTZ": "timestamp_tz",
    "timestamp(3) with time zone": "timestamp_tz",
    "timestamp with time zone": "timestamp_tz",
    "TIMESTAMP_NTZ": "timestamp",
    "TIMESTAMP": "timestamp",
    "DATETIME": "timestamp",
    "timestamp(3)": "timestamp",
    "DATE": "date",
    "NUMBER(38,0)": "other",
}
FLOAT_FAMILIES = {
    "snowflake": {"FLOAT": "double", "REAL": "double"},
    "bigquery": {"FLOAT": "double", "REAL": "other"},
}


def test_type_names_each_warehouse_reports_fall_in_the_right_family(
    compiled: tuple[str, dict[str, str]],
) -> None:
    dialect, sql = compiled
    expected = {**FAMILIES, **FLOAT_FAMILIES.get(dialect, {"FLOAT": "other", "REAL": "other"})}
    assert json.loads(sql["type_families"]) == expected


def test_the_cli_classifies_type_names_as_the_package_does(compiled: tuple[str, dict[str, str]]) -> None:
    dialect, sql = compiled
    macro = json.loads(sql["type_families"])
    assert {name: type_family(name, dialect) for name in macro} == macro


def test_utc_now_parses_in_the_dialect(compiled: tuple[str, dict[str, str]]) -> None:
    dialect, sql = compiled
    assert list(_projections_unquoted(sql["utc_now"], dialect)) == ["utc_now"]


def _projections_unquoted(sql: str, dialect: str) -> list[str]:
    return [projection.alias_or_name for projection in _select(sql, dialect).expressions]


def test_the_sql_proof_accepts_what_the_package_compiles(compiled: tuple[str, dict[str, str]]) -> None:
    """The proof denies what it does not know: nothing the package's macros emit may be among it."""
    dialect, sql = compiled
    sources = {model: code for model, code in sql.items() if model.startswith("statsig_")}
    assert sorted(sources) == ["statsig_app_events", "statsig_daily_usage", "statsig_purchases"]
    refused = {model: query_reads(code, dialect).refused for model, code in sources.items()}
    assert refused == {model: () for model in refused}


# The ISO 8601 text conversion a source gets when dbt builds it over a text timestamp (only a build
# asks the warehouse that the column is text, so it is compiled here through the macro the source
# calls). Its offset branch, then its branch for a value without an offset, in each dialect.
def _text(node: exp.Expression) -> bool:
    """The value as the conversion reads it: upper(trim(column))."""
    return (
        isinstance(node, exp.Upper)
        and isinstance(node.this, exp.Trim)
        and node.this.this.name == "purchased_at"
    )


def _cast_to(node: exp.Expression, kind: exp.DataType.Type) -> bool:
    return isinstance(node, exp.Cast) and node.to.this == kind


def _from_text(node: exp.Expression, target: exp.DataType.Type) -> bool:
    """Snowflake's to_timestamp_tz/_ntz(text, 'AUTO'): the format given, not the session's."""
    return (
        isinstance(node, exp.StrToTime)
        and _text(node.this)
        and node.args["format"].name == "AUTO"
        and node.args["target_type"].this == target
    )


def _at_utc(node: exp.Expression) -> bool:
    return isinstance(node, exp.AtTimeZone) and node.args["zone"].name == "UTC"


T = exp.DataType.Type
TEXT_BRANCHES = {
    "snowflake": (
        lambda aware: (
            _cast_to(aware, T.TIMESTAMPNTZ)
            and isinstance(aware.this, exp.ConvertTimezone)
            and aware.this.args["target_tz"].name == "UTC"
            and _from_text(aware.this.args["timestamp"], T.TIMESTAMPTZ)
        ),
        lambda naive: _from_text(naive, T.TIMESTAMPNTZ),
    ),
    "bigquery": (
        lambda aware: isinstance(aware, exp.Timestamp) and _text(aware.this) and not aware.args.get("zone"),
        lambda naive: (
            isinstance(naive, exp.Timestamp) and _text(naive.this) and naive.args["zone"].name == "UTC"
        ),
    ),
    "databricks": (
        lambda aware: _cast_to(aware, T.TIMESTAMPTZ) and _text(aware.this),
        lambda naive: (
            _cast_to(naive, T.TIMESTAMPTZ)
            and isinstance(naive.this, exp.Concat)
            and naive.this.expressions[1].name == "Z"
            and _cast_to(naive.this.expressions[0], T.TEXT)
            and _cast_to(naive.this.expressions[0].this, T.TIMESTAMPNTZ)
            and _text(naive.this.expressions[0].this.this)
        ),
    ),
    "redshift": (
        lambda aware: _at_utc(aware) and _cast_to(aware.this, T.TIMESTAMPTZ) and _text(aware.this.this),
        lambda naive: _cast_to(naive, T.TIMESTAMP) and _text(naive.this),
    ),
    "trino": (
        lambda aware: (
            _cast_to(aware, T.TIMESTAMP)
            and _at_utc(aware.this)
            and isinstance(aware.this.this, exp.FromISO8601Timestamp)
            and isinstance(aware.this.this.this, exp.Replace)
            and [aware.this.this.this.expression.name, aware.this.this.this.args["replacement"].name]
            == [" ", "T"]
        ),
        lambda naive: (
            _cast_to(naive, T.TIMESTAMP)
            and isinstance(naive.this, exp.Replace)
            and _text(naive.this.this)
            and [naive.this.expression.name, naive.this.args["replacement"].name] == ["T", " "]
        ),
    ),
}
TEXT_SHAPES = FIXTURE.parent / "text_timestamps_project" / "seeds" / "raw_text_events.csv"


def test_text_timestamps_are_parsed_by_their_offset_or_else_as_utc(
    compiled: tuple[str, dict[str, str]],
) -> None:
    dialect, sql = compiled
    [projection] = _select(sql["text_timestamp"], dialect).expressions
    case = projection.this
    assert isinstance(case, exp.Case) and len(case.args["ifs"]) == 1, case.sql(dialect)
    [branch] = case.args["ifs"]
    condition, aware, naive = branch.this, branch.args["true"], case.args["default"]
    assert isinstance(condition, exp.RegexpLike) and _text(condition.this), condition.sql(dialect)
    aware_ok, naive_ok = TEXT_BRANCHES[dialect]
    assert aware_ok(aware), aware.sql(dialect)
    assert naive_ok(naive), naive.sql(dialect)
    # The pattern, as the dialect applies it (Snowflake's REGEXP_LIKE matches the whole string), finds
    # an offset in exactly the shapes the build tests' seed gives one.
    pattern = condition.expression.name
    match = re.fullmatch if dialect == "snowflake" else re.search
    with TEXT_SHAPES.open(encoding="utf-8") as rows:
        shapes = {row["event_id"]: row["occurred_at"] for row in csv.DictReader(rows)}
    found = {event for event, text in shapes.items() if match(pattern, text.strip().upper())}
    assert found == {event for event in shapes if not event.startswith("no_offset")}
    # The SQL proof `validate` applies to compiled sources accepts every function it uses.
    assert query_reads(sql["text_timestamp"], dialect).refused == ()
