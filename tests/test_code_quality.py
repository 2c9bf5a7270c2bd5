"""The house rules CI enforces on every change: ruff (lint and format) and mypy --strict are clean, the
import layers hold (pyproject's [tool.importlinter]), no module imports itself back through another, only
the SQL stage's parser imports sqlglot, and functions, modules and packages stay the size the house
allows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PYTHON_PATHS = ["src", "tests", "benchmarks", "scripts"]
CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", *PYTHON_PATHS],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", *PYTHON_PATHS],
    "mypy --strict": [sys.executable, "-m", "mypy"],
    "import layers": [str(Path(sys.executable).parent / "lint-imports")],
}
# Readability, as the house measures it: a function reads in one screen, a module holds one idea (a
# cohesive class stays whole past 300 lines), and a package's folder stays short enough to scan.
FUNCTION_LINES = 40
MODULE_LINES = 450
PACKAGE_MODULES = 15
# The one module that may import sqlglot (type-only imports included).
SQL_PARSER = "statsig_sources.sql.parse"


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_code_is_clean(check: str, repo_root: Path) -> None:
    completed = subprocess.run(CHECKS[check], cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _graph() -> Any:
    import grimp

    # Type-only and function-level imports count: the modules still know each other.
    return grimp.build_graph(
        "statsig_sources", include_external_packages=True, exclude_type_checking_imports=False
    )


def test_no_module_imports_itself_back() -> None:
    """No import cycle between the package's modules, counting imports for annotations and imports
    inside functions."""
    graph = _graph()
    cycles = []
    for module in sorted(m for m in graph.modules if m.startswith("statsig_sources")):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} <-> {imported}")
    assert cycles == []


def test_only_the_sql_stage_parser_imports_sqlglot() -> None:
    importers = _graph().find_modules_that_directly_import("sqlglot")
    assert importers == {SQL_PARSER}


def _python_files(repo_root: Path) -> list[Path]:
    return sorted((repo_root / "src" / "statsig_sources").rglob("*.py"))


def test_no_module_is_over_the_size_limit(repo_root: Path) -> None:
    sizes = {
        str(path.relative_to(repo_root)): len(path.read_text(encoding="utf-8").splitlines())
        for path in _python_files(repo_root)
    }
    assert {path: lines for path, lines in sizes.items() if lines > MODULE_LINES} == {}


def test_no_function_is_over_the_size_limit(repo_root: Path) -> None:
    """Measured from `def` to its last line, the docstring included (decorators excluded)."""
    long = {}
    for path in _python_files(repo_root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long[f"{path.relative_to(repo_root)}:{node.lineno} {node.name}"] = lines
    assert long == {}


def test_no_package_holds_too_many_modules(repo_root: Path) -> None:
    counts = {
        str(package.relative_to(repo_root)): len([m for m in package.glob("*.py") if m.name != "__init__.py"])
        for package in {path.parent for path in _python_files(repo_root)}
    }
    assert {package: n for package, n in counts.items() if n > PACKAGE_MODULES} == {}
