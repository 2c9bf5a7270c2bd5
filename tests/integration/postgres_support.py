"""A PostgreSQL database of the test session's own, with the roles the governance tests connect as."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from dbt_harness import DbtProject, copy_consumer_project
from psycopg import sql

HOST, PORT, ADMIN = "127.0.0.1", 5432, "postgres"
OWNER_ROLE = "statsig_sources_owner"  # builds the demo, as a team's dbt service user would
READER_ROLE = "statsig_reader"  # Statsig's connection


def admin_connection(dbname: str = "postgres") -> psycopg.Connection:
    """A superuser connection, or a skip (a failure when REQUIRE_POSTGRES=1) without a server."""
    try:
        return psycopg.connect(
            host=HOST, port=PORT, user=ADMIN, dbname=dbname, autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable on {HOST}:{PORT} as {ADMIN}: {str(error).strip()}"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (REQUIRE_POSTGRES=1)")
        pytest.skip(reason)


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A new database owned by the owner role; dropped afterwards. Roles are created when missing."""
    with admin_connection() as admin:
        for role in (OWNER_ROLE, READER_ROLE):
            exists = admin.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
            if not exists:
                admin.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        admin.execute(
            sql.SQL("create database {} owner {}").format(sql.Identifier(name), sql.Identifier(OWNER_ROLE))
        )
        try:
            yield name
        finally:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def dbt_environment(database: str, **extra: str) -> dict[str, str]:
    """The libpq variables the profiles' postgres targets read: build as the owner role."""
    return {
        "PGHOST": HOST,
        "PGPORT": str(PORT),
        "PGUSER": OWNER_ROLE,
        "PGPASSWORD": "",
        "PGDATABASE": database,
        **extra,
    }


SHOP_PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "postgres_shop_project"


def shop_project(database: str, workdir: Path, package_root: Path) -> DbtProject:
    """A copy of the PostgreSQL shop fixture (tables by default, `dev` and `prod` targets) building
    into `database`, its packages installed."""
    project_dir = copy_consumer_project(SHOP_PROJECT, workdir / "project", package_root)
    project = DbtProject(project_dir, dbt_environment(database))
    assert project.invoke("deps").success
    return project


def connect_as(role: str, dbname: str) -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=role, dbname=dbname, autocommit=True, connect_timeout=3)


def can_read(role: str, dbname: str, relation: str) -> bool:
    with connect_as(role, dbname) as connection:
        try:
            connection.execute(f"select count(*) from {relation}").fetchone()
        except psycopg.errors.InsufficientPrivilege:
            return False
    return True
