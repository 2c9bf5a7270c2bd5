"""The house rules CI enforces on every change: ruff (lint and format) and mypy --strict are clean."""

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
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_code_is_clean(check: str, repo_root: Path) -> None:
    completed = subprocess.run(CHECKS[check], cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
