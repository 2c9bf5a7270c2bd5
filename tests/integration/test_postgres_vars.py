"""Package vars are data, never SQL, proven on PostgreSQL: a var holding SQL, or naming PUBLIC, fails the
build with one clear message before any statement runs (a victim table survives, a witness role gains
nothing), the pull-request check (`dbt parse`, then `validate`) refuses it, and `validate` refuses a
manifest that records such a value (edited by hand) or a CLI option that gives one."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject, copy_package_project
from postgres_support import (
    OWNER_ROLE,
    READER_ROLE,
    admin_connection,
    connect_as,
    dbt_environment,
    scratch_database,
)
from psycopg import sql

from statsig_sources.cli import main
from statsig_sources.declaration.access import setting_problems

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

WITNESS = f"statsig_sources_witness_{os.getpid()}"  # a role of this test's own, granted nothing


@pytest.fixture(scope="module")
def witness() -> Iterator[str]:
    with admin_connection() as admin:
        admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(WITNESS)))
        admin.execute(sql.SQL("create role {} login").format(sql.Identifier(WITNESS)))
        try:
            yield WITNESS
        finally:
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(WITNESS)))


@pytest.fixture(scope="module")
def database(witness: str) -> Iterator[str]:
    """A scratch database whose `public.victim` the dbt user owns, so an injected `drop` could drop it."""
    with scratch_database(f"statsig_sources_vars_{os.getpid()}") as name:
        with connect_as(OWNER_ROLE, name) as owner:
            owner.execute("create table public.victim (id integer)")
        yield name


@pytest.fixture(scope="module")
def project(database: str, repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    directory = copy_package_project(repo_root, tmp_path_factory.mktemp("vars") / "project")
    return DbtProject(directory, dbt_environment(database))


# What an attacker or a careless user sets, and what dbt built from it before the package checked.
INJECTED_ROLE = {"statsig_reader_roles": [f"{READER_ROLE}; grant all on schema public to {WITNESS}; --"]}
INJECTED_SCHEMA = {"statsig_schema": 'x"; drop table public.victim; --'}
EVERYONE = {"statsig_reader_roles": [READER_ROLE, "public"]}
CASES = [INJECTED_ROLE, INJECTED_SCHEMA, EVERYONE]
IDS = ["injected-role", "injected-schema", "public"]


def _witness_privileges(database: str) -> list[str]:
    """Every privilege granted to the witness role in the database: on schemas and on relations."""
    with admin_connection(database) as admin:
        schemas = admin.execute(
            "select n.nspname || ': ' || acl.privilege_type from pg_namespace n, aclexplode(n.nspacl) acl"
            " where acl.grantee = %s::regrole",
            [WITNESS],
        ).fetchall()
        relations = admin.execute(
            "select table_schema || '.' || table_name || ': ' || privilege_type"
            " from information_schema.role_table_grants where grantee = %s",
            [WITNESS],
        ).fetchall()
    return sorted(row[0] for row in [*schemas, *relations])


def _state(database: str) -> dict[str, Any]:
    with admin_connection(database) as admin:
        victim = admin.execute("select to_regclass('public.victim') is not null").fetchone()
        public_grants = admin.execute(
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace,"
            " aclexplode(c.relacl) acl where acl.grantee = 0"
            " and n.nspname not in ('pg_catalog', 'information_schema')"
        ).fetchone()
        schemas = admin.execute(
            "select nspname from pg_namespace where nspname not like 'pg\\_%%' and nspname not in"
            " ('public', 'information_schema') order by 1"
        ).fetchall()
    return {
        "victim": victim[0] if victim else None,
        "witness": _witness_privileges(database),
        "public_grants": public_grants[0] if public_grants else None,
        "schemas": [row[0] for row in schemas],
    }


UNTOUCHED = {"victim": True, "witness": [], "public_grants": 0, "schemas": []}


def _refusal(variables: dict[str, Any]) -> str:
    problems = setting_problems(variables, "postgres")
    assert problems
    return (
        "statsig_sources: refused package vars on the postgres target 'postgres' "
        "(docs/governance.md#what-the-vars-may-hold):\n    - " + "\n    - ".join(problems)
    )


@pytest.mark.parametrize("variables", CASES, ids=IDS)
def test_a_var_holding_sql_or_public_fails_the_build_before_any_statement(
    project: DbtProject, database: str, variables: dict[str, Any]
) -> None:
    assert _state(database) == UNTOUCHED
    result = project.invoke("build", "--target", "postgres", "--vars", json.dumps(variables))
    assert not result.success
    assert _refusal(variables) in str(result.exception)
    assert _state(database) == UNTOUCHED  # the victim stands, the witness got nothing, nothing was built


@pytest.mark.parametrize("variables", CASES, ids=IDS)
def test_the_pull_request_check_refuses_it_at_dbt_parse(
    project: DbtProject, variables: dict[str, Any]
) -> None:
    result = project.invoke("parse", "--target", "postgres", "--vars", json.dumps(variables))
    assert not result.success
    assert _refusal(variables) in str(result.exception)


def _validate(project: DbtProject, manifest: Path, *options: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["validate", "--manifest", str(manifest), "--format", "json", *options])
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    return result.exit_code, [v["message"] for v in report["violations"] if v["rule"] == "settings"]


@pytest.fixture(scope="module")
def parsed(project: DbtProject) -> Path:
    """The manifest of a clean `dbt parse` on the production target: what the package recorded."""
    result = project.invoke("parse", "--target", "postgres", "--target-path", "parsed")
    assert result.success, result.exception
    manifest = project.project_dir / "parsed" / "manifest.json"
    assert _validate(project, manifest)[1] == []
    return manifest


@pytest.mark.parametrize("variables", CASES, ids=IDS)
def test_validate_refuses_a_manifest_that_records_it(
    project: DbtProject, parsed: Path, tmp_path: Path, variables: dict[str, Any]
) -> None:
    """As a hand-edited manifest records them (and sets the grants from them); an older package's manifest
    is refused for its version before any rule (tests/python/test_versions.py)."""
    data = json.loads(parsed.read_text(encoding="utf-8"))
    for node in data["nodes"].values():
        recorded = (node.get("config", {}).get("meta") or {}).get("statsig_sources")
        if recorded is not None:
            recorded.update(variables)
            if "statsig_reader_roles" in variables:
                node["config"]["grants"] = {"select": variables["statsig_reader_roles"]}
    forged = tmp_path / "manifest.json"
    forged.write_text(json.dumps(data), encoding="utf-8")
    code, messages = _validate(project, forged)
    assert code == 1
    assert messages == setting_problems(variables, "postgres")


@pytest.mark.parametrize("variables", CASES, ids=IDS)
def test_validate_refuses_it_from_an_option(
    project: DbtProject, parsed: Path, variables: dict[str, Any]
) -> None:
    options = [
        *[part for role in variables.get("statsig_reader_roles", []) for part in ("--statsig-role", role)],
        *(["--statsig-schema", variables["statsig_schema"]] if "statsig_schema" in variables else []),
    ]
    labels = {"statsig_reader_roles": "--statsig-role", "statsig_schema": "--statsig-schema"}
    code, messages = _validate(project, parsed, *options)
    assert code == 1
    assert messages == setting_problems(variables, "postgres", labels)
