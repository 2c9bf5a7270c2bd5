"""The project's wheel, built offline as a user's pip would build it, for the tests that install or
inspect it (tests/python/test_wheel.py, tests/integration/test_ci_recipe.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def build_wheel(repo_root: Path, workdir: Path) -> Path:
    """The directory holding the project's one wheel, built with no index and no build isolation from a
    copy of its sources (so setuptools' build/ and egg-info never land in the checkout)."""
    source = workdir / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo_root / name, source / name)
    shutil.copytree(
        repo_root / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    wheels = workdir / "wheels"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run(
        [*command, "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    )
    return wheels
