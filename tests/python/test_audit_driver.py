"""`audit` where its driver is missing: the command line installed as the README's first line says,
without the `postgres` extra. A subprocess whose import system refuses psycopg, as Python does when a
package is not installed, stands for that environment (this one has psycopg for the PostgreSQL tier)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from manifest_fixtures import FIXTURES

from statsig_sources.audit.driver import INSTALL_WITH_POSTGRES

# Runs the CLI as its console script does, with every `psycopg` import failing as an absent package's.
WITHOUT_PSYCOPG = """
import sys
from importlib.abc import MetaPathFinder

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "psycopg" or name.startswith(("psycopg.", "psycopg_")):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
for name in [name for name in sys.modules if name == "psycopg" or name.startswith("psycopg")]:
    del sys.modules[name]
from statsig_sources.cli import main
sys.argv = ["statsig-sources", *sys.argv[1:]]
main()
"""
MESSAGE = (
    "Error: audit needs the PostgreSQL driver psycopg, which is not installed: install the command line "
    f"with its postgres extra, {INSTALL_WITH_POSTGRES}\n"
)


PROFILES = """shop:
  target: prod
  outputs:
    prod: {type: postgres, host: 127.0.0.1, port: 5432, user: postgres, password: "", dbname: shop,
           schema: analytics, threads: 1}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A production manifest of a PostgreSQL project and its profile: everything audit reads."""
    (tmp_path / "dbt_project.yml").write_text("name: shop\nprofile: shop\n", encoding="utf-8")
    (tmp_path / "profiles.yml").write_text(PROFILES, encoding="utf-8")
    (tmp_path / "target").mkdir()
    manifest = (FIXTURES / "valid" / "postgres_production.json").read_text(encoding="utf-8")
    (tmp_path / "target" / "manifest.json").write_text(manifest, encoding="utf-8")
    return tmp_path


def _run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_PSYCOPG, *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_the_blocked_environment_really_has_no_psycopg(tmp_path: Path) -> None:
    probe = WITHOUT_PSYCOPG.split("from statsig_sources.cli")[0] + "import psycopg\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "ModuleNotFoundError: No module named 'psycopg'" in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["audit", "--target", "prod"],
        ["audit", "--dsn", "host=127.0.0.1", "--format", "json"],
        ["audit", "--revoke"],
    ],
    ids=["target", "dsn-json", "revoke"],
)
def test_audit_without_its_driver_is_one_line_naming_the_extra_exit_2(
    project: Path, arguments: list[str]
) -> None:
    result = _run(*arguments, cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", MESSAGE)


def test_the_other_commands_need_no_driver(tmp_path: Path) -> None:
    result = _run("validate", "--project-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2  # no manifest there: a plain input error, not the driver's
    assert "psycopg" not in result.stderr and "Traceback" not in result.stderr


def test_the_extra_is_installed_exactly_as_the_readme_says(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert INSTALL_WITH_POSTGRES in readme
    base = INSTALL_WITH_POSTGRES.replace("statsig-sources[postgres] @", "statsig-sources @")
    assert base in readme  # the CLI alone, in the same form
    extras = re.findall(r"^(\w[\w-]*) = \[", (repo_root / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert "postgres" in extras
