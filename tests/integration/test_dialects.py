"""The package's SQL for warehouses that cannot run here, compiled by each one's real dbt adapter
offline (tests/fixtures/dialect_project: dummy credentials, `dbt compile --no-populate-cache`, every
source declaring `timestamp_type` so no type probe queries the warehouse) and parsed with sqlglot in
that warehouse's dialect: 64-bit doubles, the canonical timestamp type, quoted identifiers in the
warehouse's case, the UTC conversion of offset-aware input, and the schema USAGE grant."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
import sqlglot
from dbt_harness import DbtProject, copy_consumer_project
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from statsig_sources.core.contract import type_family
from statsig_sources.core.sql import query_reads

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
SCHEMA_USAGE = {
    "snowflake": "grant usage on schema analytics.statsig_staging to role statsig_reader",
    "bigquery": "",
    "databricks": "grant use schema on schema `main`.`statsig_staging` to `statsig_reader`",
    "redshift": 'grant usage on schema "statsig_staging" to "statsig_reader"',
    "trino": "",
}


@pytest.fixture(scope="module")
def dialect_project(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    project_dir = copy_consumer_project(FIXTURE, tmp_path_factory.mktemp("dialects") / "project", repo_root)
    project = DbtProject(project_dir)
    deps = project.invoke("deps")
    assert deps.success, deps.exception
    return project


@pytest.fixture(scope="module", params=DIALECTS)
def compiled(request: pytest.FixtureRequest, dialect_project: DbtProject) -> tuple[str, dict[str, str]]:
    """(dialect, compiled SQL by model name), from that adapter's own `dbt compile`, offline."""
    dialect: str = request.param
    if importlib.util.find_spec(f"dbt.adapters.{dialect}") is None:
        reason = f"dbt-{dialect} is not installed (pip install -e '.[dialects]')"
        if os.environ.get("REQUIRE_DIALECTS") == "1":
            pytest.fail(reason + " (REQUIRE_DIALECTS=1)")
        pytest.skip(reason)
    target = dialect_project.project_dir / f"target_{dialect}"
    result = dialect_project.invoke(
        "compile", "--no-populate-cache", "--target", dialect, "--target-path", str(target)
    )
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


def test_schema_usage_grant_is_the_warehouse_s_own_statement(compiled: tuple[str, dict[str, str]]) -> None:
    dialect, sql = compiled
    grant = sql["schema_usage"].strip()
    assert grant == SCHEMA_USAGE[dialect]
    if grant:
        [statement] = sqlglot.parse(grant, read=dialect, error_level=ErrorLevel.RAISE)
        assert isinstance(statement, exp.Grant)


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
