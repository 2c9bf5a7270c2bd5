from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "manifests"
VALID = sorted((FIXTURES / "valid").glob("*.json"))
INVALID = sorted((FIXTURES / "invalid").glob("*.json"))


def read_fixture(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / relative).read_text())
    return data


@pytest.fixture
def dbt_project(tmp_path: Path):
    """A project dir whose target/manifest.json is a copy of the named fixture (a factory)."""

    def make(relative: str = "valid/postgres_production.json") -> Path:
        (tmp_path / "target").mkdir(exist_ok=True)
        shutil.copy(FIXTURES / relative, tmp_path / "target" / "manifest.json")
        return tmp_path

    return make
