"""Grants follow the target, and `audit` cleans up what earlier versions granted, on a real shop project
on PostgreSQL (tests/fixtures/postgres_shop_project: tables by default, `dev` and `prod` targets in one
database, a role that builds apart from Statsig's). Issue cases proven here:

1. a `dev` (or CI) build granted Statsig's role its developer copy of the governed schema, and failed
   where that role does not exist; now it grants nobody (or the roles of
   statsig_non_production_reader_roles), while `prod` still grants Statsig, and `audit` finds, reports
   and revokes what earlier versions granted on developer copies, leaving a hand-granted table and
   Statsig's own output schema alone;
6. `audit` said nothing of whom it connected as, missed other grantees of the governed views, and
   (tests/python/test_audit_driver.py) crashed without its driver.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from dbt_harness import DbtProject
from postgres_support import (
    OWNER_ROLE,
    READER_ROLE,
    admin_connection,
    can_read,
    connect_as,
    scratch_database,
    shop_project,
)
from psycopg import sql

from statsig_sources import __version__
from statsig_sources.cli import main

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

SOURCES = ["statsig_customers", "statsig_orders", "statsig_payments"]
DEV_COPY = "dbt_dev_statsig_staging"
# Roles of this test's own: a CI reader (statsig_non_production_reader_roles), an analyst granted by
# hand, and a Statsig role that exists nowhere.
CI_READER = f"shop_ci_reader_{os.getpid()}"
ANALYST = f"shop_analyst_{os.getpid()}"
ABSENT = f"shop_statsig_nowhere_{os.getpid()}"


@pytest.fixture(scope="module")
def roles() -> Iterator[None]:
    with admin_connection() as admin:
        for role in (CI_READER, ANALYST):
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
            admin.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
        admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(ABSENT)))
    yield
    with admin_connection() as admin:
        for role in (CI_READER, ANALYST):
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))


@pytest.fixture(scope="module")
def database(roles: None) -> Iterator[str]:
    with scratch_database(f"statsig_sources_shop_grants_{os.getpid()}") as name:
        yield name


@pytest.fixture(scope="module")
def shop(database: str, repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    return shop_project(database, tmp_path_factory.mktemp("shop"), repo_root)


def _build(shop: DbtProject, target: str, variables: dict[str, Any] | None = None) -> None:
    extra = ["--vars", json.dumps(variables)] if variables else []
    result = shop.invoke("build", "--target", target, *extra)
    assert result.success, result.exception or [str(r.message) for r in result.result.results]


def _relations(database: str, schema_like: str) -> list[str]:
    """Every relation (tables and views) in the schemas whose names match `schema_like`."""
    with admin_connection(database) as admin:
        rows = admin.execute(
            "select n.nspname || '.' || c.relname"
            " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where c.relkind in ('r', 'v', 'm', 'p', 'f') and n.nspname like %s order by 1",
            [schema_like],
        ).fetchall()
    return [row[0] for row in rows]


def _schemas_usable(role: str, database: str, schema_like: str) -> list[str]:
    with admin_connection(database) as admin:
        rows = admin.execute(
            "select nspname from pg_namespace where nspname like %s"
            " and has_schema_privilege(%s, oid, 'USAGE') order by 1",
            [schema_like, role],
        ).fetchall()
    return [row[0] for row in rows]


def _recorded(shop: DbtProject, target_path: str = "target") -> dict[str, Any]:
    manifest = json.loads((shop.project_dir / target_path / "manifest.json").read_text(encoding="utf-8"))
    node = manifest["nodes"]["model.shop.statsig_orders"]
    return {"grants": node["config"]["grants"], **node["config"]["meta"]["statsig_sources"]}


def _audit(shop: DbtProject, *extra: str) -> Result:
    arguments = ["audit", "--project-dir", str(shop.project_dir), *extra]
    result = CliRunner().invoke(main, arguments, env=shop.env)
    assert "Traceback" not in result.output
    return result


def _audit_json(shop: DbtProject, *extra: str) -> tuple[int, dict[str, Any]]:
    result = _audit(shop, "--target", "prod", "--format", "json", *extra)
    return result.exit_code, json.loads(result.output)


def test_a_dev_build_leaves_statsig_nothing_to_read_in_any_developer_schema(
    shop: DbtProject, database: str
) -> None:
    _build(shop, "dev")
    developer = _relations(database, "dbt\\_dev%")
    # Every schema the developer's build made: its models and its copy of the governed schema.
    assert {name.split(".")[0] for name in developer} == {"dbt_dev", DEV_COPY}
    assert [f"{DEV_COPY}.{name}" for name in SOURCES] == [n for n in developer if n.startswith(DEV_COPY)]
    assert [name for name in developer if can_read(READER_ROLE, database, name)] == []
    assert _schemas_usable(READER_ROLE, database, "dbt\\_dev%") == []
    assert _recorded(shop) == {
        "package_version": __version__,
        "grants": {"select": []},
        "target": "dev",
        "statsig_schema": "statsig_staging",
        "statsig_production_targets": ["prod"],
        "statsig_reader_roles": [READER_ROLE],
        "statsig_non_production_reader_roles": [],
        "statsig_custom_unit_types": [],
        "granted_roles": [],
    }


def test_a_dev_build_succeeds_where_statsig_s_role_does_not_exist_and_prod_still_names_it(
    shop: DbtProject,
) -> None:
    """A developer's laptop or a CI database has no Statsig role; production's build grants it."""
    variables = {"statsig_reader_roles": [ABSENT]}
    _build(shop, "dev", variables)
    prod = shop.invoke(
        "build", "--target", "prod", "--select", "+statsig_orders", "--vars", json.dumps(variables)
    )
    assert not prod.success
    [failed] = [r for r in prod.result.results if str(r.status) == "error"]
    assert f'role "{ABSENT}" does not exist' in str(failed.message)


def test_prod_grants_statsig_every_governed_view_and_nothing_else(shop: DbtProject, database: str) -> None:
    _build(shop, "prod")
    assert [n for n in _relations(database, "statsig\\_staging") if can_read(READER_ROLE, database, n)] == [
        f"statsig_staging.{name}" for name in SOURCES
    ]
    production = _relations(database, "analytics")
    assert production and [name for name in production if can_read(READER_ROLE, database, name)] == []
    recorded = _recorded(shop)
    assert (recorded["grants"], recorded["granted_roles"]) == ({"select": [READER_ROLE]}, [READER_ROLE])


def test_the_non_production_var_grants_its_roles_the_developer_copy_only(
    shop: DbtProject, database: str
) -> None:
    _build(shop, "dev", {"statsig_non_production_reader_roles": [CI_READER]})
    copy = _relations(database, DEV_COPY)
    assert copy == [f"{DEV_COPY}.{name}" for name in SOURCES]
    assert [name for name in copy if can_read(CI_READER, database, name)] == copy
    assert [n for n in _relations(database, "dbt\\_dev") if can_read(CI_READER, database, n)] == []
    assert [
        name for name in _relations(database, "dbt\\_dev%") if can_read(READER_ROLE, database, name)
    ] == []
    _build(shop, "dev")  # the var unset again: the rebuilt views are granted to nobody
    assert [name for name in copy if can_read(CI_READER, database, name)] == []


@pytest.fixture
def earlier_version_grants(shop: DbtProject, database: str) -> Iterator[None]:
    """What a team on an earlier version has: production built; a dev build that granted Statsig's role
    its developer copy (the very statements dbt runs when the var lists Statsig's role, as every target
    did before); a table an analyst granted Statsig by hand; and Statsig's own output schema, which
    Statsig owns and writes. The manifest the audit reads is production's, parsed last."""
    _build(shop, "prod")
    _build(shop, "dev", {"statsig_non_production_reader_roles": [READER_ROLE]})
    with connect_as(OWNER_ROLE, database) as owner:
        owner.execute(f"grant usage on schema analytics to {READER_ROLE}")
        owner.execute(f"grant select on analytics.customers to {READER_ROLE}")
    with admin_connection(database) as admin:
        admin.execute(f"create schema statsig_results authorization {READER_ROLE}")
    with connect_as(READER_ROLE, database) as statsig:
        statsig.execute("create table statsig_results.pulse_results (experiment text, lift double precision)")
    assert shop.invoke("parse", "--target", "prod").success
    try:
        yield
    finally:
        with admin_connection(database) as admin:
            admin.execute("drop schema if exists statsig_results cascade")
            admin.execute(f"revoke all on analytics.customers from {READER_ROLE}")
            admin.execute(f"revoke usage on schema analytics from {READER_ROLE}")
            admin.execute(f"revoke all on schema {DEV_COPY} from {READER_ROLE}")
            for name in SOURCES:
                admin.execute(f"revoke all on {DEV_COPY}.{name} from {READER_ROLE}")


DEVELOPER_COPY_REVOKES = [
    f"revoke usage on schema {DEV_COPY} from {READER_ROLE}",
    *[f"revoke select on {DEV_COPY}.{name} from {READER_ROLE}" for name in SOURCES],
]
HAND_MADE = {
    ("outside_relation", "analytics.customers"): [f"revoke select on analytics.customers from {READER_ROLE}"],
    ("outside_relation", "statsig_results.pulse_results"): [],
    ("outside_schema", "analytics"): [f"revoke usage on schema analytics from {READER_ROLE}"],
    ("outside_schema", "statsig_results"): [],
}


def _by_check(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["check"], f["subject"]): f for f in report["findings"]}


@pytest.mark.usefixtures("earlier_version_grants")
def test_audit_finds_an_earlier_version_s_developer_copy_grants_each_with_its_revoke(
    shop: DbtProject, database: str
) -> None:
    assert [n for n in _relations(database, DEV_COPY) if can_read(READER_ROLE, database, n)]  # reproduced
    code, report = _audit_json(shop)
    assert code == 1
    found = _by_check(report)
    developer = {subject: f for (check, subject), f in found.items() if check == "developer_copy"}
    assert sorted(developer) == sorted([DEV_COPY, *[f"{DEV_COPY}.{name}" for name in SOURCES]])
    assert sorted(s for f in developer.values() for s in f["withdrawn_by_revoke"]) == sorted(
        DEVELOPER_COPY_REVOKES
    )
    assert developer[f"{DEV_COPY}.statsig_orders"]["message"] == (
        f"{READER_ROLE} holds SELECT on {DEV_COPY}.statsig_orders, in a developer copy of the governed "
        "schema statsig_staging, which Statsig must not read: `statsig-sources audit --revoke` withdraws it "
        f"(`revoke select on {DEV_COPY}.statsig_orders from {READER_ROLE}`)"
    )
    # The rest is reported with what to run by hand, and never withdrawn by the audit.
    assert {key: found[key]["statements"] for key in HAND_MADE} == HAND_MADE
    assert all(found[key]["withdrawn_by_revoke"] == [] for key in HAND_MADE)
    assert found[("outside_schema", "statsig_results")]["message"] == (
        f"{READER_ROLE} holds CREATE, ownership on schema statsig_results, outside the governed schema "
        "statsig_staging: give it another owner (`alter schema statsig_results owner to <the role that "
        "should own it>`), or pass `--output-schema statsig_results` if it is Statsig's own output schema"
    )
    assert found[("outside_relation", "analytics.customers")]["message"] == (
        f"{READER_ROLE} holds SELECT on analytics.customers, outside the governed schema statsig_staging: "
        f"revoke it by hand if Statsig must not read it (`revoke select on analytics.customers from "
        f"{READER_ROLE}`)"
    )
    assert set(found) == {*[("developer_copy", s) for s in developer], *HAND_MADE}
    assert report["summary"] == (
        "Audit of the governed schema statsig_staging: 8 finding(s), 0 warning(s). `statsig-sources audit "
        "--revoke` withdraws 4 grant(s) of them."
    )


@pytest.mark.usefixtures("earlier_version_grants")
def test_audit_text_and_json_report_the_same_findings(shop: DbtProject) -> None:
    text = _audit(shop, "--target", "prod")
    _, report = _audit_json(shop)
    lines = text.output.splitlines()
    assert lines[2:] == [f"{f['severity']}: [{f['check']}] {f['message']}" for f in report["findings"]] + [
        report["summary"]
    ]
    assert text.exit_code == 1


@pytest.mark.usefixtures("earlier_version_grants")
def test_audit_revoke_withdraws_the_developer_copy_grants_and_leaves_the_rest_alone(
    shop: DbtProject, database: str
) -> None:
    result = _audit(shop, "--target", "prod", "--revoke")
    assert result.exit_code == 1  # the hand-made grants are still findings
    revoked = [
        line.removeprefix("revoked: ") for line in result.output.splitlines() if line.startswith("revoked: ")
    ]
    assert revoked == DEVELOPER_COPY_REVOKES
    assert [
        name for name in _relations(database, "dbt\\_dev%") if can_read(READER_ROLE, database, name)
    ] == []
    assert _schemas_usable(READER_ROLE, database, "dbt\\_dev%") == []
    # Never touched: the table granted by hand and Statsig's own output schema.
    assert can_read(READER_ROLE, database, "analytics.customers")
    assert can_read(READER_ROLE, database, "statsig_results.pulse_results")
    code, report = _audit_json(shop)
    assert (code, sorted(_by_check(report))) == (1, sorted(HAND_MADE))
    code, report = _audit_json(shop, "--output-schema", "statsig_results")
    assert sorted(_by_check(report)) == [
        ("outside_relation", "analytics.customers"),
        ("outside_schema", "analytics"),
    ]


def test_audit_starts_with_the_role_database_host_and_target_it_connected_as(
    shop: DbtProject, database: str
) -> None:
    _build(shop, "prod")
    by_target = _audit(shop, "--target", "prod")
    assert by_target.exit_code == 0, by_target.output
    assert (
        by_target.output.splitlines()[0]
        == f"connected as {OWNER_ROLE} to {database} on 127.0.0.1 (target prod)"
    )
    by_dsn = _audit(shop, "--dsn", f"host=127.0.0.1 user=postgres dbname={database}", "--format", "json")
    assert json.loads(by_dsn.output)["connection"] == {
        "role": "postgres",
        "database": database,
        "host": "127.0.0.1",
        "target": "prod",
    }


def test_audit_refuses_a_developer_target_or_manifest_saying_what_to_run(shop: DbtProject) -> None:
    assert shop.invoke("parse", "--target", "prod").success
    dev = _audit(shop, "--target", "dev")
    assert (dev.exit_code, dev.output) == (
        2,
        "Error: audit checks what Statsig reads, on a production target; 'dev' is not in "
        "statsig_production_targets (prod). A developer's copies are reported from there: statsig-sources "
        "audit --target prod\n",
    )
    assert shop.invoke("parse", "--target", "dev").success
    try:
        refused = _audit(shop, "--target", "prod")
    finally:
        assert shop.invoke("parse", "--target", "prod").success
    assert (refused.exit_code, refused.output) == (
        2,
        "Error: The manifest was parsed for target 'dev', which is not in statsig_production_targets (prod); "
        "audit checks the production governed schema: run `dbt parse --target prod`, then audit again.\n",
    )


def test_audit_reports_every_other_grantee_of_the_governed_views_with_the_fix(
    shop: DbtProject, database: str
) -> None:
    _build(shop, "prod")
    with connect_as(OWNER_ROLE, database) as owner:
        owner.execute(f"grant select, update on statsig_staging.statsig_orders to {ANALYST}")
        owner.execute(f"grant select on statsig_staging.statsig_payments to {ANALYST}")
    with admin_connection(database) as admin:  # a superuser's grant is no finding: it reads everything
        admin.execute("grant select on statsig_staging.statsig_customers to postgres")
    code, report = _audit_json(shop)
    assert code == 1
    tail = (
        "dbt's grants config never gives it, so it was granted by hand or by a default privilege "
        "(`\\ddp` in psql)"
    )
    assert [(f["check"], f["role"], f["subject"], f["message"]) for f in report["findings"]] == [
        (
            "other_grantee",
            ANALYST,
            "statsig_staging.statsig_orders",
            f"{ANALYST} holds SELECT, UPDATE on statsig_staging.statsig_orders, which only Statsig's role "
            f"may read: revoke it (`revoke select, update on statsig_staging.statsig_orders from "
            f"{ANALYST}`); {tail}",
        ),
        (
            "other_grantee",
            ANALYST,
            "statsig_staging.statsig_payments",
            f"{ANALYST} holds SELECT on statsig_staging.statsig_payments, which only Statsig's role may "
            f"read: revoke it (`revoke select on statsig_staging.statsig_payments from {ANALYST}`); {tail}",
        ),
    ]
    with connect_as(OWNER_ROLE, database) as owner:  # the fix, exactly as the findings give it
        for finding in report["findings"]:
            for statement in finding["statements"]:
                owner.execute(statement)
    assert _audit_json(shop)[0] == 0
    assert not can_read(ANALYST, database, "statsig_staging.statsig_orders")
