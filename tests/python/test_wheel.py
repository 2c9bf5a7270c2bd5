"""The built wheel carries what the installed package reads at run time: Statsig's OpenAPI documents and
the declaration contract; and the version the package's __init__ gives."""

from __future__ import annotations

import zipfile
from pathlib import Path

from wheel_support import build_wheel

from statsig_sources import __version__
from statsig_sources.standin.schemas import DOCUMENTS

DATA = [f"statsig/openapi/{document}" for document in DOCUMENTS] + ["declaration/contract.json"]


def test_the_wheel_ships_the_package_data_the_cli_reads(repo_root: Path, tmp_path: Path) -> None:
    [wheel] = build_wheel(repo_root, tmp_path).glob("statsig_sources-*.whl")
    assert wheel.name.startswith(f"statsig_sources-{__version__}-")  # pyproject.toml reads __init__'s
    with zipfile.ZipFile(wheel) as archive:
        for name in DATA:
            packaged = archive.read(f"statsig_sources/{name}")
            assert packaged == (repo_root / "src/statsig_sources" / name).read_bytes(), name
        assert {"statsig_sources/py.typed", "statsig_sources/commands/standin.py"} <= set(archive.namelist())
