"""Every command documents itself with an Example: block and appears in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from statsig_sources.cli import COMMANDS, main

CLI_DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_help_has_an_example_and_is_in_docs(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"## statsig-sources {command}" in CLI_DOCS.read_text()


def test_top_level_help_has_an_example() -> None:
    assert "Example:" in CliRunner().invoke(main, ["--help"]).stdout


def test_cli_docs_are_regenerated_from_help() -> None:
    from cogapp import Cog

    assert Cog().main(["cog", "--check", str(CLI_DOCS)]) == 0, "run `.venv/bin/cog -r docs/cli.md`"


# Folders of this repository that a user's own dbt project does not have: a path under one of them,
# quoted in the docs or the code, names a file here. (models/, seeds/ and metric_sources/ paths in the
# docs are a user's project's, by example.)
REPOSITORY_FOLDERS = ("src", "tests", "docs", "benchmarks", "scripts", "macros", ".ci")
QUOTED_PATH = re.compile(
    r"(?<![\w./-])((?:" + "|".join(re.escape(f) for f in REPOSITORY_FOLDERS) + r")/[\w./-]*\w)"
)


def quoted_paths(repo_root: Path) -> dict[str, set[str]]:
    """Every repository path quoted in src/, docs/, macros/, the README and the build files, by the file
    that quotes it.
    docs/cli.md is left out: it is the commands' help, generated from src/ (and wrapped at hyphens)."""
    found: dict[str, set[str]] = {}
    docs = [path for path in (repo_root / "docs").glob("*.md") if path.name != "cli.md"]
    sources = [
        *(repo_root / "src").rglob("*.py"),
        *docs,
        repo_root / "README.md",
        repo_root / "pyproject.toml",
    ]
    sources += [repo_root / "Makefile", repo_root / ".ci" / "run"]
    sources += [*(repo_root / "macros").rglob("*.sql"), repo_root / "macros" / "_macros.yml"]
    for source in sources:
        for match in QUOTED_PATH.finditer(source.read_text(encoding="utf-8")):
            found.setdefault(match.group(1).split("#")[0], set()).add(str(source.relative_to(repo_root)))
    return found


def test_every_repository_path_the_docs_and_code_quote_exists(repo_root: Path) -> None:
    missing = {
        path: sorted(quoted_by)
        for path, quoted_by in quoted_paths(repo_root).items()
        if not (repo_root / path).exists() and not any(ch in path for ch in "*<>")
    }
    assert missing == {}


def test_the_path_check_finds_the_paths_it_is_meant_to(repo_root: Path) -> None:
    paths = quoted_paths(repo_root)
    assert "macros/utils/_statsig_contract.sql" in paths["src/statsig_sources/declaration/contract.json"]
    assert "docs/rules.md" in paths and len(paths) > 20


# `test_x.py::test_name`, or `::test_name` for another test of the file named before it.
TEST_REFERENCE = re.compile(r"`(?P<file>[\w/.]+\.py)?::(?P<test>test_\w+)`")


def test_every_test_the_security_page_names_exists(repo_root: Path) -> None:
    """docs/security.md lists each promise with the test that keeps it: each must be a real test."""
    named: list[tuple[str, str]] = []
    current = ""
    for match in TEST_REFERENCE.finditer((repo_root / "docs" / "security.md").read_text(encoding="utf-8")):
        current = match.group("file") or current
        named.append((current, match.group("test")))
    missing = []
    for file, test in named:
        found = [path for path in (repo_root / "tests").rglob(Path(file).name) if str(path).endswith(file)]
        if not any(re.search(rf"^def {test}\(", p.read_text(encoding="utf-8"), re.M) for p in found):
            missing.append(f"{file}::{test}")
    assert named and missing == []


def test_the_readme_reaches_the_package_s_packages_yml_within_its_first_60_lines(repo_root: Path) -> None:
    lines = (repo_root / "README.md").read_text(encoding="utf-8").splitlines()
    assert "# packages.yml" in lines[:60]
    assert (
        lines.index("## Install")
        < lines.index("## Use it in your dbt project")
        < lines.index("# packages.yml")
    )


def test_the_readme_states_the_two_commands_for_a_fresh_machine(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"^## Try it: two commands on a fresh machine\n\n```console\n(.*?)```", readme, re.S | re.M
    )
    assert block is not None
    assert [line.split("#")[0].strip() for line in block.group(1).splitlines()] == ["make demo", "make test"]


def test_every_docs_page_is_listed_in_the_readme(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    pages = sorted(path.name for path in (repo_root / "docs").glob("*.md"))
    assert "architecture.md" in pages and "performance.md" in pages
    assert [page for page in pages if f"- [docs/{page}](docs/{page})" not in readme] == []
