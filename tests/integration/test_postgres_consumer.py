"""The consumer fixture project on PostgreSQL: the same canonical columns, PostgreSQL's types, and the
offset-aware purchase times converted to UTC whatever the session's time zone."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from dbt_harness import DbtProject, copy_consumer_project
from postgres_support import READER_ROLE, admin_connection, can_read, dbt_environment, scratch_database

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "consumer_project"
# Not a production target in the fixture's vars: the governed schema gets the target schema's prefix.
SCHEMA = "analytics_statsig_staging"


@pytest.fixture(scope="module")
def pg_consumer(
    repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DbtProject, str]]:
    admin_connection().close()
    with scratch_database(f"statsig_sources_consumer_{os.getpid()}") as database:
        project_dir = copy_consumer_project(FIXTURE, tmp_path_factory.mktemp("pgc") / "project", repo_root)
        env = dbt_environment(
            database,
            PGTZ="America/New_York",  # a session time zone that is not UTC
            STATSIG_CONSUMER_DUCKDB="unused.duckdb",
        )
        project = DbtProject(project_dir, env)
        assert project.invoke("deps").success
        result = project.invoke("build", "--target", "postgres")
        assert result.success, result.exception or [str(r.message) for r in result.result.results]
        yield project, database


def test_canonical_columns_have_postgres_types(pg_consumer: tuple[DbtProject, str]) -> None:
    _, database = pg_consumer
    with admin_connection(database) as admin:
        columns = admin.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = %s and table_name = 'statsig_purchases' order by ordinal_position",
            [SCHEMA],
        ).fetchall()
    assert columns == [
        ("user_id", "text"),
        ("company_id", "text"),
        ("timestamp", "timestamp without time zone"),
        ("value", "double precision"),
        ("quantity", "double precision"),
        ("amount_cents", "double precision"),
    ]


def test_offset_aware_input_is_converted_to_utc_not_to_the_session_zone(
    pg_consumer: tuple[DbtProject, str],
) -> None:
    _, database = pg_consumer
    with admin_connection(database) as admin:
        admin.execute("set time zone 'Asia/Tokyo'")
        rows = admin.execute(
            f'select user_id, "timestamp" from {SCHEMA}.statsig_purchases order by 1'
        ).fetchall()
    assert rows == [("u1", datetime(2026, 2, 2, 7, 30)), ("u2", datetime(2026, 2, 1, 19, 45))]


def test_off_production_the_sources_grant_select_to_no_one(
    pg_consumer: tuple[DbtProject, str],
) -> None:
    project, _ = pg_consumer
    manifest = json.loads((project.project_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    grants = {
        node["name"]: node["config"]["grants"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert grants == {
        "fct_daily_spend": {},
        "statsig_app_events": {"select": []},
        "statsig_daily_spend": {"select": []},
        "statsig_daily_usage": {"select": []},
        "statsig_purchases": {"select": []},
    }


def test_off_production_statsig_reads_neither_the_sources_nor_the_raw_seeds(
    pg_consumer: tuple[DbtProject, str],
) -> None:
    _, database = pg_consumer
    assert not can_read(READER_ROLE, database, f"{SCHEMA}.statsig_daily_spend")
    assert not can_read(READER_ROLE, database, "analytics_raw.raw_purchases")
    assert not can_read(READER_ROLE, database, "analytics.fct_daily_spend")
