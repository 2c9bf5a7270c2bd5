"""Grants follow the target, as the CLI reads them: the roles the package recorded that the manifest's
target grants (Statsig's reader roles on a production target, statsig_non_production_reader_roles on
any other), the `grants` rule checked against them, and `apply` warning when the target grants Statsig
nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from manifest_fixtures import read_fixture, run_results_document
from project_support import load_project
from support import KEY

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.declaration.settings import SettingOptions
from statsig_sources.rules import validate
from statsig_sources.standin import FakeStatsig

SOURCE = "model.shop.statsig_purchases"
WHERE = f"{SOURCE} (models/statsig/statsig_purchases.sql, models/statsig/_statsig__models.yml)"


CI = {"statsig_non_production_reader_roles": ["statsig_ci"]}


def _recorded(target: str, granted: list[str] | None, **settings: Any) -> dict[str, Any]:
    """What the package records in a source's meta; `granted` None: a package that recorded no roles."""
    recorded = {
        "package_version": __version__,
        "target": target,
        "statsig_schema": "statsig_staging",
        "statsig_production_targets": ["prod"],
        "statsig_reader_roles": ["statsig_reader"],
        "statsig_non_production_reader_roles": [],
        "statsig_custom_unit_types": [],
        **settings,
    }
    if granted is not None:
        recorded["granted_roles"] = granted
    return recorded


def _manifest(tmp_path: Path, recorded: dict[str, Any], grants: list[str], adapter: str = "postgres") -> Path:
    """The postgres fixture as the package writes it on `recorded['target']`: a non-production target
    builds the governed schema as `dbt_alice_statsig_staging`."""
    data = read_fixture("valid/postgres_production.json")
    data["metadata"]["adapter_type"] = adapter
    node = data["nodes"][SOURCE]
    if recorded["target"] not in recorded["statsig_production_targets"]:
        node["schema"] = node["config"]["schema"] = "dbt_alice_statsig_staging"
        node["relation_name"] = '"analytics"."dbt_alice_statsig_staging"."statsig_purchases"'
    node["config"]["grants"] = {"select": grants}
    node["config"]["meta"]["statsig_sources"] = recorded
    (tmp_path / "target").mkdir(exist_ok=True)
    path = tmp_path / "target" / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    results = run_results_document(data, target=recorded["target"])
    (tmp_path / "target" / "run_results.json").write_text(json.dumps(results), encoding="utf-8")
    return path


def _grants_messages(path: Path, options: SettingOptions | None = None) -> list[str]:
    project = load_project(path, options or SettingOptions())
    return [v.message for v in validate(project) if v.rule == "grants"]


@pytest.mark.parametrize(
    ("recorded", "option", "expected"),
    [
        (_recorded("prod", ["statsig_reader"]), None, ("statsig_reader",)),
        (_recorded("dev", []), None, ()),
        (_recorded("dev", ["statsig_ci"], **CI), None, ("statsig_ci",)),
        # A package that recorded no roles granted statsig_reader_roles on every target.
        (_recorded("dev", None), None, ("statsig_reader",)),
        # --statsig-role names the role Statsig connects as: what a production target grants.
        (_recorded("prod", ["statsig_reader"]), ("statsig_prod",), ("statsig_prod",)),
        (_recorded("dev", []), ("statsig_prod",), ()),
    ],
    ids=["production", "developer", "developer-var", "older-package", "option-production", "option-dev"],
)  # fmt: skip
def test_the_cli_knows_what_the_manifest_s_target_grants(
    tmp_path: Path, recorded: dict[str, Any], option: tuple[str, ...] | None, expected: tuple[str, ...]
) -> None:
    path = _manifest(tmp_path, recorded, list(expected))
    project = load_project(path, SettingOptions(statsig_roles=option))
    assert project.settings.granted_roles == expected
    assert project.settings.production == (recorded["target"] == "prod")


@pytest.mark.parametrize(
    ("recorded", "grants", "expected"),
    [
        (_recorded("dev", []), [], []),
        (
            _recorded("dev", []),
            ["statsig_reader"],
            [
                "grants select to `statsig_reader`, which is not in statsig_non_production_reader_roles "
                "(what a non-production target grants)"
            ],
        ),
        (
            _recorded("dev", ["statsig_ci"], **CI),
            [],
            ["does not grant select to `statsig_ci`"],
        ),
        (_recorded("dev", None), ["statsig_reader"], []),
        (_recorded("prod", ["statsig_reader"]), [], ["does not grant select to `statsig_reader`"]),
    ],
    ids=["dev-nothing", "dev-statsig", "dev-var-missing", "older-package", "production-missing"],
)  # fmt: skip
def test_the_grants_rule_checks_the_roles_the_target_grants(
    tmp_path: Path, recorded: dict[str, Any], grants: list[str], expected: list[str]
) -> None:
    assert _grants_messages(_manifest(tmp_path, recorded, grants)) == expected


def test_a_public_non_production_role_recorded_by_a_package_is_refused(tmp_path: Path) -> None:
    recorded = _recorded("dev", ["public"], statsig_non_production_reader_roles=["public"])
    project = load_project(_manifest(tmp_path, recorded, ["public"]), SettingOptions())
    messages = [(v.rule, v.message) for v in validate(project) if v.rule in ("settings", "grants")]
    # Both: the var is refused, and the grant an older package made from it is a finding of its own.
    assert messages == [
        (
            "settings",
            'the var statsig_non_production_reader_roles has "public", which on postgres is PUBLIC, every '
            "role there is and every role created later: granting it would let everyone read the governed "
            "schema; list only the role(s) Statsig connects as",
        ),
        (
            "grants",
            "grants select to `public`, which on postgres is PUBLIC, every role there is and every role "
            "created later: everyone can read it",
        ),
    ]


def _apply(fake: FakeStatsig, project: Path, *options: str) -> tuple[int, list[str]]:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = ["apply", "--yes", "--project-dir", str(project), *options]
    result = CliRunner().invoke(main, command, env=env, catch_exceptions=False)
    return result.exit_code, result.stderr.splitlines()


NOTHING_OFF_PRODUCTION = (
    "warning: [grants] the target `dev` grants Statsig no read access to the metric sources (not a "
    "production target, and statsig_non_production_reader_roles is empty), so Statsig cannot read what "
    "this registers; register from a production target's manifest, or set "
    "statsig_non_production_reader_roles to the role(s) Statsig connects as and build again"
)
NOTHING_ON_PRODUCTION = (
    "warning: [grants] the target `prod` grants Statsig no read access to the metric sources (a "
    "production target, and statsig_reader_roles is empty), so Statsig cannot read what this registers; "
    "register from a production target's manifest, or set statsig_reader_roles to the role(s) Statsig "
    "connects as and build again"
)


@pytest.mark.parametrize(
    ("recorded", "grants", "adapter", "warning"),
    [
        (_recorded("dev", []), [], "postgres", NOTHING_OFF_PRODUCTION),
        (_recorded("prod", [], statsig_reader_roles=[]), [], "postgres", NOTHING_ON_PRODUCTION),
        (_recorded("prod", ["statsig_reader"]), ["statsig_reader"], "postgres", None),
        (_recorded("dev", ["statsig_ci"], **CI), ["statsig_ci"],
         "postgres", None),
        # No GRANT on DuckDB: the grants rule already says nothing is enforceable there.
        (_recorded("dev", []), [], "duckdb", None),
    ],
    ids=["developer", "production-without-roles", "production", "developer-var", "duckdb"],
)  # fmt: skip
def test_apply_warns_when_the_target_grants_statsig_nothing(
    fake: FakeStatsig,
    tmp_path: Path,
    recorded: dict[str, Any],
    grants: list[str],
    adapter: str,
    warning: str | None,
) -> None:
    _manifest(tmp_path, recorded, grants, adapter)
    code, stderr = _apply(fake, tmp_path, "--allow-non-production")
    assert code == 0, stderr
    assert [line for line in stderr if line.startswith("warning: [grants] the target")] == (
        [warning] if warning else []
    )
    assert sorted(fake.sources) == ["statsig_purchases"]  # a warning: the deployment is registered
