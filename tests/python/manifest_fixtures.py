"""The hand-written manifest fixtures: one valid project per file, one failure mode per invalid file.

A module of its own, not conftest.py: test modules import these names, and a `conftest` import would
resolve to whichever conftest pytest loaded last.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "manifests"
VALID = sorted((FIXTURES / "valid").glob("*.json"))
INVALID = sorted((FIXTURES / "invalid").glob("*.json"))


def read_fixture(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / relative).read_text())
    return data
