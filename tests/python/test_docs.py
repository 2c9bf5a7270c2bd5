"""Every command documents itself with an Example: block and appears in docs/cli.md."""

from __future__ import annotations

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


def test_the_package_s_contract_macro_is_generated_from_the_cli_s_contract() -> None:
    from cogapp import Cog

    macro = CLI_DOCS.parent.parent / "macros" / "utils" / "_statsig_contract.sql"
    assert Cog().main(["cog", "--check", str(macro)]) == 0, f"run `.venv/bin/cog -r {macro}`"
