"""Timestamps stored as text, built for real on DuckDB, PostgreSQL and Spark: a value with a UTC offset
lands as the instant its offset names, a value without one as UTC, and the view returns the same
instants in a session whose time zone (America/Los_Angeles) is neither UTC nor the one dbt built it in
(a view is evaluated in its reader's session: Statsig's, not dbt's). Every shape a text export writes is
a row of tests/fixtures/text_timestamps_project/seeds/raw_text_events.csv, beside the UTC instant it
names; four sources read it: the type asked of the warehouse, `timestamp_type: offset_aware` and
`naive` declared (text is parsed whatever is declared), and a day grain. On an adapter without an ISO
8601 parser the build refuses the text timestamp before the view is replaced.

The PostgreSQL shop fixture's own case: `statsig_orders` reads the export's `ordered_at`, text with the
store's offset, which became the local wall-clock time (a day off for day grains), and
`timestamp_type: offset_aware` failed with a database error."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject, copy_consumer_project
from postgres_support import READER_ROLE, admin_connection, connect_as, dbt_environment, scratch_database
from psycopg import sql
from spark_support import require_spark, spark_rows

from statsig_sources.cli import main

pytestmark = pytest.mark.dbt

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECT = FIXTURES / "text_timestamps_project"
SHOP = FIXTURES / "postgres_shop_project"
SCHEMA = "text_timestamps_staging"
EVENT_SOURCES = ["text_probed", "text_declared_offset_aware", "text_declared_naive_expression"]
SOURCES = [*EVENT_SOURCES, "text_daily"]
READER_ZONE = "America/Los_Angeles"


def _expected() -> dict[str, datetime]:
    """Each seed row's UTC instant, as the naive UTC timestamp the view returns."""
    with (PROJECT / "seeds" / "raw_text_events.csv").open(encoding="utf-8") as rows:
        return {row["event_id"]: datetime.fromisoformat(row["expected_utc"]) for row in csv.DictReader(rows)}


EXPECTED = _expected()
# A day grain's timestamp: the UTC calendar day of the instant, at midnight.
EXPECTED_DAYS = {event: datetime.combine(instant.date(), time()) for event, instant in EXPECTED.items()}


def _expected_for(source: str) -> dict[str, datetime]:
    return EXPECTED_DAYS if source == "text_daily" else EXPECTED


def _failures(result: Any) -> list[str]:
    return [
        f"{item.node.name}: {item.status} {item.message}"
        for item in (result.result.results if result.result else [])
        if str(item.status) not in ("success", "pass")
    ]


def _built(project: DbtProject, *args: str) -> None:
    assert project.invoke("deps").success
    result = project.invoke("build", *args)
    assert result.success and not _failures(result), _failures(result) or result.exception


def test_the_seed_holds_every_shape_a_text_export_writes() -> None:
    """The table the three adapters are checked against: offsets (`Z`, `+05:30`, `-08:00`, `-0800`,
    `+05`), none, a space for `T`, fractions, lower case, a date alone, and wall-clock times that do not
    exist or exist twice in the readers' zone."""
    raw = {row["event_id"]: row["occurred_at"] for row in csv.DictReader(
        (PROJECT / "seeds" / "raw_text_events.csv").open(encoding="utf-8"))}  # fmt: skip
    assert len(raw) == len(EXPECTED) == 15
    for marker in ("Z", "+05:30", "-08:00", "-0800", "+05", " 23:", ".123456", "t23", "z"):
        assert any(marker in text for text in raw.values()), marker
    assert raw["no_offset_date_only"] == "2018-01-01"
    assert {raw[name] for name in EXPECTED if name.startswith("no_offset_in_los_angeles")} == {
        "2018-03-11 02:30:00",
        "2018-11-04 01:30:00",
    }


# DuckDB -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duckdb_build(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """Built by a dbt session in Asia/Kolkata (the profile's TimeZone setting)."""
    workdir = tmp_path_factory.mktemp("text-duckdb")
    project = DbtProject(
        copy_consumer_project(PROJECT, workdir / "project", repo_root),
        {"TEXT_TIMESTAMPS_DUCKDB": str(workdir / "text.duckdb")},
    )
    _built(project, "--target", "duckdb")
    return project


def _duckdb_rows(project: DbtProject, source: str) -> dict[str, datetime]:
    # The way dbt-duckdb opened the file, so this connection shares its in-process instance.
    with duckdb.connect(project.env["TEXT_TIMESTAMPS_DUCKDB"]) as connection:
        connection.execute(f"set session TimeZone = '{READER_ZONE}'")
        assert connection.execute("select current_setting('TimeZone')").fetchone() == (READER_ZONE,)
        rows = connection.execute(f'select event_id, "timestamp" from {SCHEMA}.{source}').fetchall()
    return dict(rows)


@pytest.mark.parametrize("source", SOURCES)
def test_duckdb_text_timestamps_are_the_utc_instants_in_another_session_zone(
    duckdb_build: DbtProject, source: str
) -> None:
    assert _duckdb_rows(duckdb_build, source) == _expected_for(source)


REFUSAL = (
    "statsig_sources: model 'text_probed' (models/text_probed.sql, models/_sources.yml) reads its "
    "timestamp `occurred_at` as text (type {type}), which the package cannot parse reliably on duckdb: "
    "convert it to a timestamp type in the upstream model (an offset-aware one if the text carries UTC "
    "offsets), or implement duckdb__statsig_text_timestamp_to_utc (docs/declaration.md#text-timestamps)"
)


def _view_sql(project: DbtProject, name: str) -> str:
    with duckdb.connect(project.env["TEXT_TIMESTAMPS_DUCKDB"]) as connection:
        row = connection.execute(
            "select sql from duckdb_views() where schema_name = ? and view_name = ?", [SCHEMA, name]
        ).fetchone()
    assert row is not None, name
    return str(row[0])


@pytest.mark.parametrize("command", ["run", "build"])
def test_without_a_parser_the_run_refuses_the_text_timestamp_before_the_view_is_replaced(
    duckdb_build: DbtProject, command: str, tmp_path: Path
) -> None:
    """The project stands DuckDB in for an adapter the package has no ISO 8601 parser for."""
    before = _view_sql(duckdb_build, "text_probed")
    result = duckdb_build.invoke(
        command, "--select", "text_probed", "--vars", "{text_timestamps_without_parser: true}",
        "--target", "duckdb", "--target-path", str(tmp_path / "target"),
    )  # fmt: skip
    assert not result.success
    statuses = {item.node.name: str(item.status) for item in result.result.results}
    assert statuses["text_probed"] == "error"
    [failed] = [item for item in result.result.results if item.node.name == "text_probed"]
    assert REFUSAL.format(type="VARCHAR") in str(failed.message)
    # Refused while the model compiled: the view Statsig reads is the one the last good build made.
    assert _view_sql(duckdb_build, "text_probed") == before
    assert _duckdb_rows(duckdb_build, "text_probed") == EXPECTED


def test_validate_accepts_the_sql_the_text_conversion_compiles_to(duckdb_build: DbtProject) -> None:
    """The SQL proof denies what it does not know; the conversion's functions are not among it."""
    result = CliRunner().invoke(main, ["validate", "--project-dir", str(duckdb_build.project_dir)])
    read, body = result.stdout.split("\n", 1)
    assert read.startswith("Read ") and ", target duckdb; statsig-sources " in read, read
    # Only what any DuckDB project without documented columns hears.
    assert sorted(set(re.findall(r"^warning: \[(\w+)\]", body, re.M))) == ["declared_columns", "grants"]
    assert (result.exit_code, body.splitlines()[-1]) == (0, "4 metric sources checked: 5 warnings.")


# PostgreSQL ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    admin_connection().close()
    with scratch_database(f"statsig_sources_text_{os.getpid()}") as database:
        with admin_connection(database) as admin:
            # Statsig's session in this database: its role's own time zone, as a deployment sets it.
            admin.execute(
                sql.SQL("alter role {} in database {} set timezone = {}").format(
                    sql.Identifier(READER_ROLE), sql.Identifier(database), sql.Literal(READER_ZONE)
                )
            )
        yield database


def _postgres_project(database: str, fixture: Path, workdir: Path, repo_root: Path) -> DbtProject:
    # dbt's own session is in Asia/Kolkata (libpq's PGTZ), the reader's in America/Los_Angeles.
    project_dir = copy_consumer_project(fixture, workdir / "project", repo_root)
    return DbtProject(project_dir, dbt_environment(database, PGTZ="Asia/Kolkata"))


def _read_as_statsig(database: str, query: str) -> list[tuple[Any, ...]]:
    with connect_as(READER_ROLE, database) as connection:
        assert connection.execute("show timezone").fetchone() == (READER_ZONE,)
        return connection.execute(query).fetchall()


@pytest.fixture(scope="module")
def postgres_build(postgres_database: str, repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    project = _postgres_project(postgres_database, PROJECT, tmp_path_factory.mktemp("text-pg"), repo_root)
    _built(project, "--target", "postgres")
    return postgres_database


@pytest.mark.postgres
@pytest.mark.parametrize("source", SOURCES)
def test_postgres_text_timestamps_are_the_utc_instants_in_statsig_s_session(
    postgres_build: str, source: str
) -> None:
    rows = _read_as_statsig(postgres_build, f'select event_id, "timestamp" from {SCHEMA}.{source}')
    assert dict(rows) == _expected_for(source)


# The shop fixture's orders (seeds/raw_orders.csv): each `ordered_at` with its store's offset, in UTC.
SHOP_ORDERS_UTC = [
    ("1", datetime(2018, 1, 2, 7, 0)),  # 2018-01-01T23:00:00-08:00: the next UTC day
    ("1", datetime(2018, 1, 4, 22, 45)),  # 2018-01-05T07:45:00+09:00: the UTC day before
    ("2", datetime(2018, 1, 7, 20, 0)),  # 2018-01-07T12:00:00-08:00
    ("3", datetime(2018, 1, 2, 9, 30)),  # 2018-01-02T09:30:00+00:00
    ("3", datetime(2018, 1, 12, 0, 0)),  # 2018-01-11T16:00:00-08:00: the next UTC day
    ("4", datetime(2018, 1, 4, 23, 15)),  # 2018-01-04T18:15:00-05:00
    ("5", datetime(2018, 1, 8, 19, 0)),  # 2018-01-09T00:30:00+05:30: the UTC day before
]
SHOP_ORDERS = 'select customer_id, "timestamp" from statsig_staging.statsig_orders order by 1, 2'


@pytest.fixture(scope="module")
def shop_build(
    postgres_database: str, repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> DbtProject:
    project = _postgres_project(postgres_database, SHOP, tmp_path_factory.mktemp("shop"), repo_root)
    _built(project, "--target", "prod")
    return project


@pytest.mark.postgres
def test_the_shop_orders_text_times_land_as_their_utc_instants(
    shop_build: DbtProject, postgres_database: str
) -> None:
    assert _read_as_statsig(postgres_database, SHOP_ORDERS) == SHOP_ORDERS_UTC


@pytest.mark.postgres
def test_declaring_the_shop_orders_offset_aware_builds_the_same_instants(
    shop_build: DbtProject, postgres_database: str
) -> None:
    """`timestamp_type: offset_aware` on a text column once failed in the warehouse
    (`function pg_catalog.timezone(unknown, text) does not exist`)."""
    declarations = shop_build.project_dir / "models" / "statsig" / "_statsig.yml"
    original = declarations.read_text(encoding="utf-8")
    declared = original.replace(
        "timestamp: ordered_at\n", "timestamp: ordered_at\n          timestamp_type: offset_aware\n"
    )
    assert declared != original
    declarations.write_text(declared, encoding="utf-8")
    try:
        result = shop_build.invoke("build", "--target", "prod", "--select", "statsig_orders")
    finally:
        declarations.write_text(original, encoding="utf-8")
    assert result.success and not _failures(result), _failures(result) or result.exception
    assert _read_as_statsig(postgres_database, SHOP_ORDERS) == SHOP_ORDERS_UTC


# Spark --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark_build(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    require_spark()
    workdir = tmp_path_factory.mktemp("text-spark")
    project = DbtProject(
        copy_consumer_project(PROJECT, workdir / "project", repo_root), {"STATSIG_SPARK_DIR": str(workdir)}
    )
    _built(project, "--target", "spark")


def _epoch_micros(instant: datetime) -> int:
    return int((instant.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)


def _spark_instants(source: str, zone: str) -> dict[str, int]:
    """Each row's instant (microseconds since the epoch, whatever the zone) read in a session in `zone`;
    the test process's one Spark session is set back to UTC afterwards."""
    spark_rows(f"set spark.sql.session.timeZone = {zone}")
    try:
        rows = spark_rows(f"select event_id, unix_micros(`timestamp`) from {SCHEMA}.{source}")
    finally:
        spark_rows("set spark.sql.session.timeZone = UTC")
    return dict(rows)


@pytest.mark.spark
@pytest.mark.parametrize("source", EVENT_SOURCES)
def test_spark_text_timestamps_are_the_utc_instants_in_another_session_zone(
    spark_build: None, source: str
) -> None:
    expected = {event: _epoch_micros(instant) for event, instant in EXPECTED.items()}
    assert _spark_instants(source, READER_ZONE) == expected


@pytest.mark.spark
def test_spark_day_grain_is_the_utc_day_in_the_utc_session_spark_runs_in(spark_build: None) -> None:
    """A day grain takes the day in the session's zone on Spark, which runs in UTC (docs/declaration.md)."""
    expected = {event: _epoch_micros(day) for event, day in EXPECTED_DAYS.items()}
    assert _spark_instants("text_daily", "UTC") == expected


def test_the_expected_days_are_utc_days_not_local_ones() -> None:
    """The control: the offsets move three of the rows across midnight, so a day grain that ignored them
    would be a day off."""
    moved = {event for event, day in EXPECTED_DAYS.items() if day.date() != date(2018, 1, 1)}
    assert {"offset_minus_eight", "offset_compact", "space_with_offset"} <= moved
