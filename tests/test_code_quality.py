"""The house rules CI enforces on every change: ruff (lint and format) and mypy --strict are clean, the
import layers hold (pyproject's [tool.importlinter]), no module imports itself back through another,
and no module grows past the size the house allows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PYTHON_PATHS = ["src", "tests", "benchmarks", "scripts"]
CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", *PYTHON_PATHS],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", *PYTHON_PATHS],
    "mypy --strict": [sys.executable, "-m", "mypy"],
    "import layers": [str(Path(sys.executable).parent / "lint-imports")],
}
# A module is split before it passes this many lines (the house style: modules under about 300 lines).
MODULE_LINES = 300


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_code_is_clean(check: str, repo_root: Path) -> None:
    completed = subprocess.run(CHECKS[check], cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_no_module_imports_itself_back(repo_root: Path) -> None:
    """No import cycle between the package's modules (imports for type annotations only excepted)."""
    import grimp

    graph = grimp.build_graph("statsig_sources", exclude_type_checking_imports=True)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} <-> {imported}")
    assert cycles == []


def test_no_module_is_over_the_size_limit(repo_root: Path) -> None:
    sizes = {
        str(path.relative_to(repo_root)): len(path.read_text(encoding="utf-8").splitlines())
        for path in (repo_root / "src").rglob("*.py")
    }
    assert {path: lines for path, lines in sizes.items() if lines > MODULE_LINES} == {}
