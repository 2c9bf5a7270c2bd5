"""The package installed in a consumer project: the governed views it builds, their exact columns,
types and rows, and the governance configuration dbt records for them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject

from statsig_sources import __version__
from statsig_sources.cli import main

pytestmark = pytest.mark.dbt

SOURCES = ["statsig_app_events", "statsig_daily_spend", "statsig_daily_usage", "statsig_purchases"]


def _columns(db: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in db.sql(f"describe statsig_staging.{relation}").fetchall()]


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda row: [(value is None, str(value)) for value in row])


def _rows(db: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[Any, ...]]:
    return _sorted(db.sql(f"select * from statsig_staging.{relation}").fetchall())


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        (
            "statsig_app_events",
            [
                ("user_id", "VARCHAR"),
                ("stable_id", "VARCHAR"),
                ("timestamp", "TIMESTAMP"),
                ("event_name", "VARCHAR"),
                ("country", "VARCHAR"),
            ],
        ),
        (
            "statsig_purchases",
            [
                ("user_id", "VARCHAR"),
                ("company_id", "VARCHAR"),
                ("timestamp", "TIMESTAMP"),
                ("value", "DOUBLE"),
                ("quantity", "DOUBLE"),
                ("amount_cents", "DOUBLE"),
            ],
        ),
        (
            "statsig_daily_usage",
            [
                ("user_id", "VARCHAR"),
                ("timestamp", "TIMESTAMP"),
                ("minutes", "DOUBLE"),
                ("feature", "VARCHAR"),
            ],
        ),
        ("statsig_daily_spend", [("user_id", "VARCHAR"), ("timestamp", "TIMESTAMP"), ("value", "DOUBLE")]),
    ],
)
def test_view_has_exactly_the_canonical_columns_and_types(
    consumer_db: duckdb.DuckDBPyConnection, relation: str, expected: list[tuple[str, str]]
) -> None:
    assert _columns(consumer_db, relation) == expected


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        (
            "statsig_app_events",
            [
                (None, "a2", datetime(2026, 2, 1, 10, 30), "page_view", "DE"),
                ("u1", "a1", datetime(2026, 2, 1, 9, 0), "signup", "US"),
                ("u1", "a1", datetime(2026, 2, 3, 23, 59, 59), "page_view", "US"),
            ],
        ),
        (
            # Offset-aware input converted to UTC, whatever the session's time zone (New York here):
            # 23:30 at -08:00 is 07:30 the next day, 01:15 at +05:30 is 19:45 the day before.
            "statsig_purchases",
            [
                ("u1", "acct-1", datetime(2026, 2, 2, 7, 30), 19.99, 1.0, 1999.0),
                ("u2", "acct-2", datetime(2026, 2, 1, 19, 45), 5.0, 3.0, 500.0),
            ],
        ),
        (
            "statsig_daily_usage",
            [
                ("u1", datetime(2026, 2, 1), 5.0, "chat"),
                ("u1", datetime(2026, 2, 1), 10.0, "search"),
                ("u2", datetime(2026, 2, 2), 7.0, "search"),
            ],
        ),
        (
            "statsig_daily_spend",
            [("u1", datetime(2026, 2, 2), 19.99), ("u2", datetime(2026, 2, 1), 5.0)],
        ),
    ],
)
def test_view_rows_match_the_declaration(
    consumer_db: duckdb.DuckDBPyConnection, relation: str, expected: list[tuple[Any, ...]]
) -> None:
    assert _rows(consumer_db, relation) == _sorted(expected)


def test_metric_sources_land_in_the_governed_schema_and_other_models_do_not(
    consumer_db: duckdb.DuckDBPyConnection,
) -> None:
    relations = consumer_db.sql(
        "select table_schema, table_name, table_type from information_schema.tables order by all"
    ).fetchall()
    governed = sorted(name for schema, name, _ in relations if schema == "statsig_staging")
    assert governed == SOURCES
    assert all(kind == "VIEW" for schema, _, kind in relations if schema == "statsig_staging")
    assert ("analytics", "fct_daily_spend", "BASE TABLE") in relations
    assert ("analytics_raw", "raw_purchases", "BASE TABLE") in relations


def test_every_package_test_passes_on_every_source(consumer_build: dict[str, Any]) -> None:
    package_tests = sorted(name for name in consumer_build if name.startswith("statsig_sources_"))
    assert len(package_tests) == 4 * len(SOURCES)
    assert {str(consumer_build[name].status) for name in package_tests} == {"pass"}


def test_the_package_demo_is_not_built_in_a_consumer(consumer_build: dict[str, Any]) -> None:
    assert not [name for name in consumer_build if name.startswith("demo_") or name == "orders"]


def _manifest(project: DbtProject) -> dict[str, Any]:
    return json.loads((project.project_dir / "target" / "manifest.json").read_text(encoding="utf-8"))


def test_sources_record_the_package_version_and_resolved_settings_and_the_schema_usage_hook_runs(
    consumer_build: dict[str, Any], consumer_project: DbtProject
) -> None:
    nodes = _manifest(consumer_project)["nodes"]
    for name in SOURCES:
        config = nodes[f"model.statsig_consumer.{name}"]["config"]
        # DuckDB has no roles: the package sets no grants there (PostgreSQL's are tested on PostgreSQL).
        assert config["grants"] == {}
        assert config["meta"]["statsig_sources"] == {
            "package_version": __version__,
            "target": "prod",
            "statsig_schema": "statsig_staging",
            "statsig_production_targets": ["prod", "spark"],
            "statsig_reader_roles": ["statsig_reader"],
            "statsig_non_production_reader_roles": [],
            "statsig_custom_unit_types": ["companyID"],
            "granted_roles": [],  # what the target granted: nothing, as DuckDB has no GRANT
        }
    # Schema usage comes from the package's own on-run-end hook, which dbt runs in the consumer's build.
    hook = nodes["operation.statsig_sources.statsig_sources-on-run-end-0"]
    assert hook["raw_code"] == "{{ statsig_sources.grant_statsig_schema_usage() }}"
    assert str(consumer_build["statsig_sources-on-run-end-0"].status) == "success"


def test_a_development_target_prefixes_the_governed_schema(
    consumer_build: dict[str, Any], consumer_project: DbtProject, tmp_path: Path
) -> None:
    result = consumer_project.invoke("parse", "--target", "dev", "--target-path", str(tmp_path))
    assert result.success, result.exception
    nodes = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    assert {nodes[f"model.statsig_consumer.{name}"]["schema"] for name in SOURCES} == {
        "dbt_dev_statsig_staging"
    }
    assert nodes["model.statsig_consumer.fct_daily_spend"]["schema"] == "dbt_dev"
    # validate accepts the prefixed schema as the governed one off production.
    validated = CliRunner().invoke(
        main,
        [
            "validate",
            "--manifest",
            str(tmp_path / "manifest.json"),
            "--custom-unit-type",
            "companyID",
            "--format",
            "json",
        ],
    )
    assert validated.exit_code == 0, validated.output
    assert not [v for v in json.loads(validated.output)["violations"] if v["severity"] == "error"]
