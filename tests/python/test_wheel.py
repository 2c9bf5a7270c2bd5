"""The built wheel carries what the installed package reads at run time: Statsig's OpenAPI documents."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from statsig_sources.standin.schemas import DOCUMENTS


def test_the_wheel_ships_the_stand_ins_openapi_documents(repo_root: Path, tmp_path: Path) -> None:
    # Built from a copy, so setuptools' build/ and egg-info never land in the repository.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo_root / name, source / name)
    shutil.copytree(
        repo_root / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*command, "--wheel-dir", str(tmp_path / "dist"), str(source)], check=True, capture_output=True
    )
    [wheel] = (tmp_path / "dist").glob("statsig_sources-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for document in DOCUMENTS:
            packaged = archive.read(f"statsig_sources/standin/openapi/{document}")
            assert packaged == (repo_root / "src/statsig_sources/standin/openapi" / document).read_bytes()
        assert {"statsig_sources/py.typed", "statsig_sources/commands/standin.py"} <= set(archive.namelist())
