"""Zero warnings from dbt, on each dbt the package is tested on (this environment's, and dbt-core 1.12
through tests/test_dbt_1_12.py): the demo with the exposures `usage --write-exposures` writes, and each
consumer fixture, parse with `--no-partial-parse --show-all-deprecations --warn-error` under a
Snowflake and a BigQuery profile, and build with `--warn-error` on DuckDB.

Why those two profiles: dbt-core checks project files against its JSON schema (the checks behind
`PropertyMovedToConfigDeprecation` and the other deprecations of 1.10 and later) only when the run's
adapter is Snowflake, BigQuery, Databricks or Redshift, so DuckDB, PostgreSQL and Spark never show
them. `dbt parse` connects to nothing: the profiles hold dummy credentials. Every event dbt logs is
read, so a warning fails the test even where `--warn-error` would not promote it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt.version import __version__ as dbt_version
from dbt_harness import DbtProject, copy_consumer_project
from exposures_support import demo_with_exposures
from unfriendly_support import unfriendly_project

from statsig_sources import __version__ as statsig_sources_version

pytestmark = pytest.mark.dbt

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Dummy credentials: `dbt parse` never connects.
OFFLINE_OUTPUTS = {
    "snowflake": {
        "type": "snowflake",
        "account": "offline-account",
        "user": "offline",
        "password": "offline",
        "role": "transformer",
        "database": "analytics",
        "warehouse": "offline_wh",
        "schema": "analytics",
        "threads": 1,
    },
    "bigquery": {
        "type": "bigquery",
        "method": "oauth-secrets",
        "token": "offline-token",
        "project": "offline-project",
        "dataset": "analytics",
        "threads": 1,
    },
}
# What a BigQuery project must set (docs/governance.md): Statsig's service account, since BigQuery has
# no roles and refuses the default `statsig_reader` as a member.
OFFLINE_VARS = {
    "bigquery": {"statsig_reader_roles": ["serviceAccount:statsig@offline-project.iam.gserviceaccount.com"]},
}


def _fixture(name: str, env_var: str | None) -> Callable[[Path, Path], DbtProject]:
    def make(repo_root: Path, workdir: Path) -> DbtProject:
        project_dir = copy_consumer_project(FIXTURES / name, workdir / "project", repo_root)
        env = {env_var: str(workdir / f"{name}.duckdb")} if env_var else {}
        project = DbtProject(project_dir, env)
        deps = project.invoke("deps")
        assert deps.success, deps.exception
        return project

    return make


def _demo(repo_root: Path, workdir: Path) -> DbtProject:
    return demo_with_exposures(repo_root, workdir)[0]


def _unfriendly(repo_root: Path, workdir: Path) -> DbtProject:
    # With the fix its materialization error names applied, so that the build gets as far as it can.
    return unfriendly_project(workdir, repo_root, views=True)


# name -> (how to set it up, its dbt profile's name, the `dbt build` arguments on DuckDB; None: the
# project has no DuckDB target)
PROJECTS: dict[str, tuple[Callable[[Path, Path], DbtProject], str, list[str] | None]] = {
    "demo_with_exposures": (_demo, "statsig_sources", ["build"]),
    "consumer": (_fixture("consumer_project", "STATSIG_CONSUMER_DUCKDB"), "statsig_consumer", ["build"]),
    "ci": (_fixture("ci_project", "STATSIG_CI_DUCKDB"), "ci_shop", ["build", "--target", "prod"]),
    "unfriendly": (_unfriendly, "unfriendly_shop", ["build"]),
    "dialect": (_fixture("dialect_project", None), "statsig_dialects", None),
}
# What the unfriendly project's build fails on, on purpose (tests/integration/test_unfriendly_build.py):
# anything else failing, or anything warning, is this test's business.
UNFRIENDLY_FAILURES = {
    "statsig_order_totals": "error",
    "statsig_sources_statsig_keys_not_null_statsig_orders_": "fail",
    "statsig_sources_statsig_keys_not_null_statsig_order_totals_": "skipped",
}


@pytest.fixture(scope="module")
def projects(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], DbtProject]:
    """Each project, set up (copied, its package installed) once, on first use."""
    made: dict[str, DbtProject] = {}

    def get(name: str) -> DbtProject:
        if name not in made:
            make = PROJECTS[name][0]
            made[name] = make(repo_root, tmp_path_factory.mktemp(name))
        return made[name]

    return get


def _offline_profiles(directory: Path, profile: str, adapter: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    document = {profile: {"target": "prod", "outputs": {"prod": OFFLINE_OUTPUTS[adapter]}}}
    (directory / "profiles.yml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return directory


def _logged(events: list[Any], *levels: str) -> list[str]:
    return [f"{event.info.name}: {event.info.msg}" for event in events if event.info.level in levels]


@pytest.mark.parametrize("adapter", sorted(OFFLINE_OUTPUTS))
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_parses_without_a_warning_under_the_schema_checking_adapters(
    projects: Callable[[str], DbtProject], name: str, adapter: str
) -> None:
    project = projects(name)
    workdir = project.project_dir.parent
    profiles = _offline_profiles(workdir / f"profiles_{adapter}", PROJECTS[name][1], adapter)
    result, events = project.invoke_logged(
        "parse",
        "--no-partial-parse",
        "--show-all-deprecations",
        "--warn-error",
        "--profiles-dir",
        str(profiles),
        "--target-path",
        str(workdir / f"target_{adapter}"),
        *(["--vars", json.dumps(OFFLINE_VARS[adapter])] if adapter in OFFLINE_VARS else []),
    )
    assert (result.success, _logged(events, "warn", "error")) == (True, []), (dbt_version, result.exception)


@pytest.mark.parametrize("name", sorted(name for name, spec in PROJECTS.items() if spec[2] is not None))
def test_builds_on_duckdb_without_a_warning(projects: Callable[[str], DbtProject], name: str) -> None:
    project = projects(name)
    build = PROJECTS[name][2]
    assert build is not None
    result, events = project.invoke_logged(*build, "--warn-error")
    assert result.result is not None, (dbt_version, result.exception)
    statuses = {item.node.name: str(item.status) for item in result.result.results}
    # Exposures report no-op: dbt builds nothing for them.
    failed = {node: status for node, status in statuses.items() if status not in ("success", "pass", "no-op")}
    expected = UNFRIENDLY_FAILURES if name == "unfriendly" else {}
    assert {_prefix(node, expected): status for node, status in failed.items()} == expected, dbt_version
    # A failure the table expects is logged at the error level; nothing may be logged as a warning (under
    # --warn-error one would have failed a node or the whole run, which the table would show too).
    assert _logged(events, "warn") == [], dbt_version


def _prefix(node: str, expected: dict[str, str]) -> str:
    """A generated test's name ends with a hash; the expected table names its prefix."""
    return next((key for key in expected if node.startswith(key)), node)


def test_with_every_var_unset_each_value_the_package_configures_is_defined(
    projects: Callable[[str], DbtProject],
) -> None:
    """dbt v2 refuses an undefined value passed to config(); the CI project sets none of the vars."""
    project = projects("ci")
    assert "vars" not in yaml.safe_load((project.project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    workdir = project.project_dir.parent
    profiles = _offline_profiles(workdir / "profiles_unset", PROJECTS["ci"][1], "snowflake")
    target = workdir / "target_unset"
    result = project.invoke("parse", "--profiles-dir", str(profiles), "--target-path", str(target))
    assert result.success, result.exception
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    source = nodes["model.ci_shop.statsig_signups"]
    recorded = source["config"]["meta"]["statsig_sources"]
    assert recorded == {
        "package_version": statsig_sources_version,
        "target": "prod",
        "statsig_schema": "statsig_staging",
        "statsig_production_targets": ["prod"],
        "statsig_reader_roles": ["statsig_reader"],
        "statsig_non_production_reader_roles": [],
        "statsig_custom_unit_types": [],
        "granted_roles": ["statsig_reader"],
    }
    assert source["config"]["grants"] == {"select": ["statsig_reader"]}
    # generate_schema_name returned a schema for every node.
    assert all(isinstance(node["schema"], str) and node["schema"] for node in nodes.values())
