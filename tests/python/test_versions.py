"""One version for the package and the command line: written once, repeated where it must be and checked
there, recorded in the manifest by the package, stated by every command, and a manifest from another
release refused with the lines that bring both halves together (docs/versions.md#upgrading)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml
from click.testing import CliRunner, Result
from manifest_fixtures import read_fixture
from support import KEY

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.declaration.contract import contract
from statsig_sources.declaration.releases import REPOSITORY, recorded_version, series
from statsig_sources.standin import FakeStatsig
from statsig_sources.support.errors import InputError

NODE = "model.shop.statsig_purchases"
COMMANDS = ["validate", "render", "plan", "apply", "usage", "reload"]


def test_the_version_is_written_once_and_every_copy_agrees(repo_root: Path) -> None:
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "statsig_sources.__version__"}
    dbt_project = yaml.safe_load((repo_root / "dbt_project.yml").read_text(encoding="utf-8"))
    assert dbt_project["version"] == __version__
    assert contract()["recorded"]["version"] == __version__
    macro = (repo_root / "macros/utils/_statsig_contract.sql").read_text(encoding="utf-8")
    assert f'"version":"{__version__}"' in macro
    changelog = (repo_root / "CHANGELOG.md").read_text(encoding="utf-8")
    # The next release is listed under `## Unreleased`, naming its version, until it is released.
    headings = re.findall(r"^## (.+)$", changelog, re.M)
    upcoming = changelog.split("\n## ")[1].split("\n\n")[1]
    assert headings[0] == __version__ or (headings[0] == "Unreleased" and f"**{__version__}**" in upcoming)
    assert "0.1.0" in headings


def test_the_command_line_states_its_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"statsig-sources, version {__version__}\n")


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.2.0", (0, 2)),
        ("0.2.17", (0, 2)),
        ("0.2.0rc1", (0, 2)),
        ("1.4.2", (1,)),
        ("2.0.0-beta.1", (2,)),
        ("0.2", None),
        ("v0.2.0", None),
        ("", None),
    ],
)
def test_releases_work_together_within_a_minor_version_while_0_then_within_a_major(
    version: str, expected: tuple[int, ...] | None
) -> None:
    assert series(version) == expected


def _manifest(tmp_path: Path, *records: dict[str, Any] | None) -> Path:
    """The valid fixture, its one source recording `records[0]`; further records go to copies of it."""
    data = read_fixture("valid/postgres_production.json")
    node = data["nodes"][NODE]
    for i, record in enumerate(records):
        copy = json.loads(json.dumps(node))
        if i:
            copy["unique_id"] = f"{NODE}_{i}"
            copy["name"] = f"statsig_purchases_{i}"
            copy["alias"] = copy["name"]
            copy["config"]["meta"]["statsig"]["source_name"] = f"purchases_{i}"
        if record is not None:
            copy["config"]["meta"]["statsig_sources"] = record
        data["nodes"][copy["unique_id"]] = copy
    (tmp_path / "target").mkdir()
    path = tmp_path / "target" / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _settings(version: str | None) -> dict[str, Any]:
    recorded: dict[str, Any] = {"target": "prod", "statsig_schema": "statsig_staging"}
    return recorded if version is None else {"package_version": version, **recorded}


def _run(fake: FakeStatsig, project: Path, command: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = [command, "--project-dir", str(project)]
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def _lines(pin: str, repository: str = "https://github.com/<your-org>/statsig-sources.git") -> str:
    return (
        f"and this is statsig-sources {__version__}: the package and the command line must be the same "
        f"minor version (docs/versions.md#upgrading). Either upgrade the package to {__version__}, in "
        "packages.yml:\n"
        f'    revision: "v{__version__}"\n'
        "  then run `dbt deps` and rebuild the manifest (`dbt parse`, or the `dbt build` that writes it);\n"
        f"or install the command line released with the package ({pin}):\n"
        f'    pip install "statsig-sources @ git+{repository}@v{pin}"\n'
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_manifest_from_another_minor_version_is_refused_with_both_versions_and_the_lines_to_run(
    fake: FakeStatsig, tmp_path: Path, command: str
) -> None:
    manifest = _manifest(tmp_path, _settings("0.1.9"))
    result = _run(fake, tmp_path, command)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: {manifest} was written by the statsig_sources dbt package 0.1.9, " + _lines("0.1.9")
    )
    assert fake.requests == []


@pytest.mark.parametrize("command", COMMANDS)
def test_an_older_manifest_is_told_what_it_lacks_not_to_set_a_var(
    fake: FakeStatsig, tmp_path: Path, command: str
) -> None:
    """0.1.0 recorded its settings (the schema and target here are the defaults' own values) but not its
    version: the message names the version as what is missing, not any var."""
    manifest = _manifest(tmp_path, _settings(None))
    result = _run(fake, tmp_path, command)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: {manifest} was written by a statsig_sources dbt package older than 0.2.0: its metric "
        "sources record the package's settings but not its version (meta.statsig_sources.package_version, "
        "recorded since 0.2.0), " + _lines("0.1.0").replace("package (0.1.0)", "package (0.1.x)")
    )
    assert "var" not in result.stderr
    assert fake.requests == []


def test_the_lines_to_run_name_the_repository_the_project_installs_the_package_from(
    fake: FakeStatsig, tmp_path: Path
) -> None:
    url = "https://git.example.com/data/statsig-sources.git"
    (tmp_path / "packages.yml").write_text(
        "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n"
        f"  - git: {url}\n    revision: v0.1.9\n"
    )
    manifest = _manifest(tmp_path, _settings("0.1.9"))
    result = _run(fake, tmp_path, "validate")
    assert result.exit_code == 2
    assert result.stderr.endswith(_lines("0.1.9", url))
    assert str(manifest) in result.stderr


def test_another_patch_release_of_the_same_minor_version_is_read_and_stated(
    fake: FakeStatsig, tmp_path: Path
) -> None:
    patch = f"{__version__.rsplit('.', 1)[0]}.17"
    _manifest(tmp_path, _settings(patch))
    result = _run(fake, tmp_path, "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(
        f"generated at an unknown time; statsig-sources {__version__}, dbt package {patch}."
    )


def test_a_manifest_from_this_release_is_stated_in_every_header(fake: FakeStatsig, tmp_path: Path) -> None:
    _manifest(tmp_path, _settings(__version__))
    for command in ("validate", "plan", "usage"):
        result = _run(fake, tmp_path, command)
        assert result.stdout.splitlines()[0].endswith(f"; statsig-sources {__version__}."), command


@pytest.mark.parametrize(
    ("records", "shown"),
    [
        ([_settings("0.2.0"), _settings("0.1.9")], "'0.1.9', '0.2.0'"),
        ([_settings("0.2.0"), _settings(None)], "'0.2.0', None"),
        ([_settings("latest")], "'latest'"),
        ([{**_settings(None), "package_version": 2}], "2"),
    ],
    ids=["two-releases", "partly-recorded", "not-a-version", "not-text"],
)
def test_a_manifest_without_one_release_s_version_is_refused_naming_what_it_records(
    fake: FakeStatsig, tmp_path: Path, records: list[dict[str, Any]], shown: str
) -> None:
    _manifest(tmp_path, *records)
    result = _run(fake, tmp_path, "plan")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: the manifest's metric sources record the package versions {shown} "
        "(meta.statsig_sources.package_version), not one release's version: run `dbt deps`, then rebuild "
        "the manifest with `dbt parse --no-partial-parse` (or the `dbt build` that writes it)\n"
    )
    assert fake.requests == []


def test_a_manifest_whose_sources_record_nothing_has_no_release_to_compare() -> None:
    assert recorded_version([{}, {}]) is None
    assert recorded_version([]) is None
    with pytest.raises(InputError):
        recorded_version([{"package_version": "0.2.0"}, {"target": "prod"}])


def test_every_command_checks_the_release_before_anything_else() -> None:
    """The check sits where every command loads its project (commands/_project.py)."""
    source = Path(__file__).resolve().parents[2] / "src/statsig_sources/commands"
    loaders = {
        path.name
        for path in source.glob("*.py")
        if "load_project(" in path.read_text(encoding="utf-8") and path.name != "_project.py"
    }
    assert loaders == set()


def test_the_readme_installs_each_warehouse_s_extra_at_this_release_s_tag(repo_root: Path) -> None:
    """README's install lines: one per warehouse extra pyproject declares, each at `v<version>`, and
    packages.yml's revision at the same tag."""
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    warehouses = set(pyproject["project"]["optional-dependencies"]) - {"dev", "stand-in", "dialects"}
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r'^pip install "statsig-sources\[(\w+)\] @ git\+(\S+)@(\S+)"', readme, re.M)
    assert sorted(extra for extra, _, _ in lines) == sorted(warehouses)
    assert {tag for _, _, tag in lines} == {f"v{__version__}"}
    assert {url for _, url, _ in lines} == {REPOSITORY}
    assert f'    revision: "v{__version__}"' in readme
