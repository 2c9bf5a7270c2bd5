"""Upgrading the package and the command line, on the consumer fixture with real dbt: a manifest parsed
with another release of the package (a copy of this one carrying another version, or one from before
the version was recorded) is refused by the command line with both versions and the lines to run;
after the upgrade (`packages.yml`, `dbt deps`, `dbt parse`), the same commands read it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dbt_harness import DbtProject, copy_consumer_project, copy_package_project

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig

pytestmark = pytest.mark.dbt

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "consumer_project"
KEY = "console-UPGRADES0042"
OLD = "0.1.9"
CONTRACT = "macros/utils/_statsig_contract.sql"
RECORDING = "macros/utils/_statsig_governance_config.sql"


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


def _package(repo_root: Path, destination: Path, *, version: str | None) -> Path:
    """This package as another release ships it: its contract carrying `version`, or (None) recording
    no version at all, as 0.1.0 did."""
    package = copy_package_project(repo_root, destination)
    contract, recording = package / CONTRACT, package / RECORDING
    if version is not None:
        text = contract.read_text(encoding="utf-8")
        assert f'"version":"{__version__}"' in text
        contract.write_text(text.replace(f'"version":"{__version__}"', f'"version":"{version}"'))
    else:
        text = recording.read_text(encoding="utf-8")
        line = "{%- set recorded = {spec['version_key']: spec['version'], 'target': target.name} -%}"
        assert line in text
        recording.write_text(text.replace(line, "{%- set recorded = {'target': target.name} -%}"))
    return package


def _parsed(project: DbtProject, package: Path) -> Path:
    (project.project_dir / "packages.yml").write_text(f"packages:\n  - local: {package}\n", encoding="utf-8")
    for command in (("deps",), ("parse", "--target", "prod", "--no-partial-parse")):
        result = project.invoke(*command)
        assert result.success, result.exception
    return project.project_dir / "target" / "manifest.json"


def _run(fake: FakeStatsig, project: DbtProject, command: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = [command, "--project-dir", str(project.project_dir)]
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


@pytest.fixture
def consumer(tmp_path: Path, repo_root: Path) -> DbtProject:
    project_dir = copy_consumer_project(FIXTURE, tmp_path / "project", repo_root)
    return DbtProject(project_dir, {"STATSIG_CONSUMER_DUCKDB": str(tmp_path / "never-opened.duckdb")})


def test_a_manifest_from_another_minor_release_is_refused_until_both_halves_match(
    fake: FakeStatsig, consumer: DbtProject, repo_root: Path, tmp_path: Path
) -> None:
    manifest = _parsed(consumer, _package(repo_root, tmp_path / "package_old", version=OLD))
    recorded = json.loads(manifest.read_text())["nodes"]["model.statsig_consumer.statsig_purchases"]
    assert recorded["config"]["meta"]["statsig_sources"]["package_version"] == OLD
    for command in ("validate", "plan"):
        result = _run(fake, consumer, command)
        assert (result.exit_code, result.stdout) == (2, ""), result.output
        assert result.stderr.startswith(
            f"Error: {manifest} was written by the statsig_sources dbt package {OLD}, and this is "
            f"statsig-sources {__version__}: the package and the command line must be the same minor version"
        )
        assert f'    revision: "v{__version__}"\n' in result.stderr
        assert f'@v{OLD}"\n' in result.stderr
    assert fake.requests == []
    # The upgrade the message gives: the package at this release, `dbt deps`, the manifest again.
    _parsed(consumer, repo_root)
    result = _run(fake, consumer, "plan")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(f" UTC; statsig-sources {__version__}.")
    assert "4 to create" in result.stdout


def test_a_manifest_from_before_the_version_was_recorded_names_what_is_missing(
    fake: FakeStatsig, consumer: DbtProject, repo_root: Path, tmp_path: Path
) -> None:
    manifest = _parsed(consumer, _package(repo_root, tmp_path / "package_unversioned", version=None))
    result = _run(fake, consumer, "validate")
    assert (result.exit_code, result.stdout) == (2, ""), result.output
    assert result.stderr.startswith(
        f"Error: {manifest} was written by a statsig_sources dbt package older than 0.2.0: its metric "
        "sources record the package's settings but not its version (meta.statsig_sources.package_version, "
        "recorded since 0.2.0)"
    )
    assert "set the var" not in result.stderr
