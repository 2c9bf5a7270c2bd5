"""The governance proven on a real warehouse: the demo built on PostgreSQL by an owner role, then read
as the Statsig role, and `statsig-sources audit` checking the live catalog."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dbt_harness import DbtProject
from postgres_support import READER_ROLE, admin_connection, can_read, dbt_environment, scratch_database

from statsig_sources.cli import main

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

GOVERNED = ["demo_app_events", "demo_orders", "demo_user_daily_activity", "demo_user_daily_revenue"]
NEW_SOURCE_SQL = "{{ statsig_sources.statsig_source(ref('demo_raw_events')) }}\n"
NEW_SOURCE_YML = """version: 2
models:
  - name: demo_checkouts
    config:
      meta:
        statsig:
          granularity: event_log
          unit_ids: {user_id: userID}
          timestamp: event_at
          filter: "event_name = 'checkout'"
"""


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    admin_connection().close()  # skips, or fails under REQUIRE_POSTGRES=1, without a server
    with scratch_database(f"statsig_sources_test_{os.getpid()}") as name:
        yield name


@pytest.fixture(scope="module")
def pg_demo(database: str, repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """A copy of the package's dbt project (so tests can add and remove sources), built on postgres."""
    project_dir = tmp_path_factory.mktemp("pg") / "project"
    project_dir.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(repo_root / name, project_dir / name)
    for name in ("macros", "models", "seeds"):
        shutil.copytree(repo_root / name, project_dir / name)
    env = dbt_environment(database)
    project = DbtProject(project_dir, env)
    _build(project)
    return project


def _build(project: DbtProject, *extra: str) -> None:
    result = project.invoke("build", "--target", "postgres", *extra)
    assert result.success, result.exception or [str(r.message) for r in result.result.results]


def _audit(project: DbtProject, *extra: str) -> Result:
    return CliRunner().invoke(
        main,
        ["audit", "--project-dir", str(project.project_dir), "--target", "postgres", *extra],
        env=project.env,
    )


def test_statsig_role_reads_every_governed_view(pg_demo: DbtProject, database: str) -> None:
    assert [
        name for name in GOVERNED if can_read(READER_ROLE, database, f"statsig_staging.{name}")
    ] == GOVERNED


def test_statsig_role_is_denied_every_other_relation(pg_demo: DbtProject, database: str) -> None:
    with admin_connection(database) as admin:
        others = admin.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema not in ('statsig_staging', 'pg_catalog', 'information_schema')"
        ).fetchall()
    relations = sorted(name for (name,) in others)
    assert "demo_demo_raw.demo_raw_orders" in relations and "demo.demo_int_user_daily_revenue" in relations
    assert [name for name in relations if can_read(READER_ROLE, database, name)] == []


def test_audit_of_a_fresh_build_is_clean(pg_demo: DbtProject, database: str) -> None:
    result = _audit(pg_demo)
    assert result.exit_code == 0, result.output
    connected, read, audit = result.output.splitlines()
    assert connected == f"connected as statsig_sources_owner to {database} on 127.0.0.1 (target postgres)"
    assert read.startswith(
        f"Read {pg_demo.project_dir / 'target' / 'manifest.json'}: dbt project statsig_sources, adapter "
        "postgres, generated "
    )
    assert audit == "Audit of the governed schema statsig_staging: 0 finding(s), 0 warning(s)."


def test_a_rerun_and_a_full_refresh_keep_the_grants(pg_demo: DbtProject, database: str) -> None:
    _build(pg_demo)
    _build(pg_demo, "--full-refresh")
    assert all(can_read(READER_ROLE, database, f"statsig_staging.{name}") for name in GOVERNED)
    assert _audit(pg_demo).exit_code == 0


def test_a_source_added_is_readable_and_a_source_removed_is_reported_then_revoked(
    pg_demo: DbtProject, database: str
) -> None:
    folder = pg_demo.project_dir / "models" / "staging" / "statsig"
    (folder / "demo_checkouts.sql").write_text(NEW_SOURCE_SQL, encoding="utf-8")
    (folder / "_demo_checkouts.yml").write_text(NEW_SOURCE_YML, encoding="utf-8")
    _build(pg_demo, "--select", "demo_checkouts")
    assert can_read(READER_ROLE, database, "statsig_staging.demo_checkouts")  # no hand-made grant
    assert _audit(pg_demo).exit_code == 0

    (folder / "demo_checkouts.sql").unlink()
    (folder / "_demo_checkouts.yml").unlink()
    assert pg_demo.invoke("parse", "--target", "postgres").success
    reported = _audit(pg_demo)
    assert reported.exit_code == 1
    assert (
        f"error: [undeclared_relation] {READER_ROLE} can read statsig_staging.demo_checkouts, which is not a "
        "declared metric source" in reported.output
    )
    assert can_read(READER_ROLE, database, "statsig_staging.demo_checkouts")  # dbt dropped nothing

    revoked = _audit(pg_demo, "--revoke")
    assert revoked.exit_code == 0, revoked.output
    assert f"revoked: revoke select on statsig_staging.demo_checkouts from {READER_ROLE}" in revoked.output
    assert "warning: [undeclared_relation]" in revoked.output
    assert not can_read(READER_ROLE, database, "statsig_staging.demo_checkouts")
    with admin_connection(database) as admin:
        admin.execute("drop view statsig_staging.demo_checkouts")


@pytest.mark.parametrize(
    ("grant", "revoke", "expected"),
    [
        (
            "grant usage on schema demo_demo_raw to {role};"
            " grant select on demo_demo_raw.demo_raw_orders to {role}",
            "revoke usage on schema demo_demo_raw from {role};"
            " revoke select on demo_demo_raw.demo_raw_orders from {role}",
            [
                "[outside_relation] {role} holds SELECT on demo_demo_raw.demo_raw_orders,"
                " outside the governed schema",
                "[outside_schema] {role} holds USAGE on schema demo_demo_raw, outside the governed schema",
            ],
        ),
        (
            "grant create on schema statsig_staging to {role}",
            "revoke create on schema statsig_staging from {role}",
            ["[can_modify] {role} can create objects in the governed schema statsig_staging"],
        ),
        (
            "grant insert on statsig_staging.demo_orders to {role}",
            "revoke insert on statsig_staging.demo_orders from {role}",
            ["[can_modify] {role} holds INSERT on statsig_staging.demo_orders"],
        ),
        (
            "revoke select on statsig_staging.demo_orders from {role}",
            "grant select on statsig_staging.demo_orders to {role}",
            ["[unreadable_source] {role} lacks SELECT on the declared source statsig_staging.demo_orders"],
        ),
    ],
    ids=["outside", "create", "write", "unreadable"],
)
def test_audit_reports_each_kind_of_finding(
    pg_demo: DbtProject, database: str, grant: str, revoke: str, expected: list[str]
) -> None:
    with admin_connection(database) as admin:
        admin.execute(grant.format(role=READER_ROLE))
        try:
            result = _audit(pg_demo, "--format", "json")
        finally:
            admin.execute(revoke.format(role=READER_ROLE))
    assert result.exit_code == 1, result.output
    messages = [f"[{f['check']}] {f['message']}" for f in json.loads(result.output)["findings"]]
    for fragment in expected:
        assert any(message.startswith(fragment.format(role=READER_ROLE)) for message in messages), messages
    assert _audit(pg_demo).exit_code == 0


def test_audit_allows_full_rights_on_statsig_output_schema(pg_demo: DbtProject, database: str) -> None:
    with admin_connection(database) as admin:
        admin.execute(f"create schema statsig_results authorization {READER_ROLE}")
        try:
            assert _audit(pg_demo).exit_code == 1
            assert _audit(pg_demo, "--output-schema", "statsig_results").exit_code == 0
        finally:
            admin.execute("drop schema statsig_results cascade")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--dsn", "host=127.0.0.1 port=1 user=postgres connect_timeout=2"],
            "Error: Cannot connect to PostgreSQL",
        ),
        (["--target", "duckdb"], "Error: Target 'duckdb' is a 'duckdb' target; audit checks PostgreSQL"),
    ],
    ids=["unreachable", "not-postgres"],
)
def test_audit_bad_input_is_a_clear_error_with_exit_2(
    pg_demo: DbtProject, arguments: list[str], message: str
) -> None:
    base = ["audit", "--project-dir", str(pg_demo.project_dir)]
    if "--target" not in arguments and "--dsn" not in arguments:
        base += ["--target", "postgres"]
    result = CliRunner().invoke(main, [*base, *arguments], env=pg_demo.env)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_audit_reports_a_public_grant_in_the_governed_schema_with_the_revoke(
    pg_demo: DbtProject, database: str
) -> None:
    with admin_connection(database) as admin:
        admin.execute("grant select on statsig_staging.demo_orders to public")
        admin.execute("grant create on schema statsig_staging to public")
        try:
            result = _audit(pg_demo)
        finally:
            admin.execute("revoke select on statsig_staging.demo_orders from public")
            admin.execute("revoke create on schema statsig_staging from public")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[2:] == [
        # The Statsig role holds what PUBLIC holds.
        f"error: [can_modify] {READER_ROLE} can create objects in the governed schema statsig_staging: "
        "revoke it (`revoke create on schema statsig_staging from public`)",
        "error: [public_grant] PUBLIC holds CREATE on the governed schema statsig_staging: every role can "
        "add relations to it; revoke it (`revoke create on schema statsig_staging from public`)",
        "error: [public_grant] PUBLIC holds SELECT on statsig_staging.demo_orders: every role can use it as "
        "Statsig's role can; revoke it (`revoke select on statsig_staging.demo_orders from public`) and keep "
        "PUBLIC out of statsig_reader_roles",
        "Audit of the governed schema statsig_staging: 3 finding(s), 0 warning(s).",
    ]
    assert _audit(pg_demo).exit_code == 0


def test_audit_reports_a_missing_role_and_an_everyone_role_as_findings_and_goes_on(
    pg_demo: DbtProject,
) -> None:
    roles = [
        "--statsig-role",
        "no_such_statsig_role",
        "--statsig-role",
        "PUBLIC",
        "--statsig-role",
        READER_ROLE,
    ]
    result = _audit(pg_demo, *roles, "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    assert [(f["check"], f["role"], f["message"]) for f in findings] == [
        (
            "missing_role",
            "no_such_statsig_role",
            "no_such_statsig_role does not exist in this cluster: create it (`create role "
            "no_such_statsig_role login`) and build again so that dbt grants it, or set statsig_reader_roles "
            "(or --statsig-role) to the role Statsig connects as",
        ),
        (
            "everyone_role",
            "PUBLIC",
            "PUBLIC is PUBLIC, every role there is and every role created later, not a role Statsig connects "
            "as: set statsig_reader_roles (or --statsig-role) to the role Statsig connects as, and see the "
            "public_grant findings for what it was granted",
        ),
    ]  # and the reader role, audited after them, has nothing to report


def test_audit_refuses_a_role_without_connect_rights(pg_demo: DbtProject, database: str) -> None:
    with admin_connection(database) as admin:
        admin.execute(f"revoke connect on database {database} from public")
        try:
            result = CliRunner().invoke(
                main,
                [
                    "audit",
                    "--project-dir",
                    str(pg_demo.project_dir),
                    "--dsn",
                    f"host=127.0.0.1 user={READER_ROLE} dbname={database}",
                ],
            )
        finally:
            admin.execute(f"grant connect on database {database} to public")
    assert result.exit_code == 2, result.output
    assert "Error: Cannot connect to PostgreSQL" in result.output
