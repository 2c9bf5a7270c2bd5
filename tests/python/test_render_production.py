"""`render` reads a production target's manifest. One whose sources are built in a developer's copy of
the governed schema would write that schema into the committed files (and CI's `render --check` then
fails): it is refused, exit 1, nothing written or compared, naming the dbt command that writes the
right manifest, unless --allow-non-production (or STATSIG_SOURCES_ALLOW_NON_PRODUCTION) says so."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from statsig_sources import __version__
from statsig_sources.cli import main

DEVELOPER_MANIFEST = "valid/duckdb_developer_schema.json"
ALLOW = "STATSIG_SOURCES_ALLOW_NON_PRODUCTION"


def refusal(
    command: str = "render",
    parsed_for: str = "their target is not in statsig_production_targets",
    parse: str = "dbt parse --target prod",
) -> str:
    done = "compared" if command.endswith("--check") else "written"
    return (
        f"Error: {command} refused, nothing was {done}: metric sources are built in "
        f"`dbt_alice_statsig_staging`, not in the production governed schema `statsig_staging` "
        f"({parsed_for}), and the files render writes are committed and registered as they are; run "
        f"`{parse}`, then `statsig-sources {command}` again, or pass --allow-non-production "
        f"({ALLOW}=1) to read this manifest anyway.\n"
    )


def run(project: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
    environment = {ALLOW: None, **(env or {})}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=environment)


def record(project: Path, recorded: dict[str, Any]) -> None:
    """The settings and target the package records in a source's meta while it parses."""
    path = project / "target" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    node = manifest["nodes"]["model.shop.statsig_purchases"]
    node["config"]["meta"]["statsig_sources"] = {"package_version": __version__, **recorded}
    path.write_text(json.dumps(manifest), encoding="utf-8")


def files(project: Path) -> dict[str, bytes]:
    directory = project / "metric_sources"
    return (
        {path.name: path.read_bytes() for path in sorted(directory.rglob("*"))} if directory.exists() else {}
    )


@pytest.mark.parametrize("check", [False, True], ids=["render", "check"])
def test_render_refuses_a_developer_manifest_and_writes_nothing(
    dbt_project: Callable[..., Path], check: bool
) -> None:
    project = dbt_project(DEVELOPER_MANIFEST)
    committed = project / "metric_sources" / "statsig_purchases.yml"
    committed.parent.mkdir()
    committed.write_text("sql: select * from statsig_staging.statsig_purchases\n", encoding="utf-8")
    before = files(project)
    result = run(project, "render", *(["--check"] if check else []))
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] + "\n" == refusal("render --check" if check else "render")
    assert files(project) == before


def test_the_command_names_the_production_target_the_manifest_records(
    dbt_project: Callable[..., Path],
) -> None:
    project = dbt_project(DEVELOPER_MANIFEST)
    record(project, {"target": "dev", "statsig_production_targets": ["production", "prod_eu"]})
    result = run(project, "render")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] + "\n" == refusal(
        parsed_for="the manifest was parsed for target `dev`, which is not in statsig_production_targets",
        parse="dbt parse --target production",
    )
    assert files(project) == {}


def test_without_a_production_target_the_command_says_to_list_one(dbt_project: Callable[..., Path]) -> None:
    project = dbt_project(DEVELOPER_MANIFEST)
    record(project, {"target": "dev", "statsig_production_targets": []})
    result = run(project, "render")
    assert result.exit_code == 1
    assert (
        "run `dbt parse --target <target>, once that target is listed in statsig_production_targets`"
        in result.stderr
    )
    assert files(project) == {}


def test_json_output_is_only_the_refusal(dbt_project: Callable[..., Path]) -> None:
    project = dbt_project(DEVELOPER_MANIFEST)
    result = run(project, "render", "--check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "command": "render",
        "check": True,
        "ok": False,
        "refused": True,
        "error": refusal("render --check").removeprefix("Error: ").removesuffix(".\n"),
    }


@pytest.mark.parametrize(
    ("option", "env"),
    [(("--allow-non-production",), {}), ((), {ALLOW: "1"}), ((), {ALLOW: "true"})],
    ids=["option", "env-1", "env-true"],
)
def test_allow_non_production_renders_the_developer_manifest(
    dbt_project: Callable[..., Path], option: tuple[str, ...], env: dict[str, str]
) -> None:
    project = dbt_project(DEVELOPER_MANIFEST)
    written = run(project, "render", *option, env=env)
    assert written.exit_code == 0, written.output
    assert (
        '"dbt_alice_statsig_staging"."statsig_purchases"' in files(project)["statsig_purchases.yml"].decode()
    )
    checked = run(project, "render", "--check", *option, env=env)
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize("value", ["0", "false"])
def test_a_false_environment_value_allows_nothing(dbt_project: Callable[..., Path], value: str) -> None:
    project = dbt_project(DEVELOPER_MANIFEST)
    result = run(project, "render", env={ALLOW: value})
    assert (result.exit_code, result.stderr.splitlines()[-1] + "\n") == (1, refusal())
    assert files(project) == {}


def test_a_production_manifest_renders_as_before(dbt_project: Callable[..., Path]) -> None:
    project = dbt_project("valid/postgres_production.json")
    assert run(project, "render").exit_code == 0
    assert run(project, "render", "--check").exit_code == 0
    assert sorted(files(project)) == ["statsig_purchases.yml"]
