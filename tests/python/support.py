"""Helpers shared by the registration tests."""

from __future__ import annotations

import time
from typing import Any

KEY = "console-TESTKEY0123456789"
MARKER = "managed-by:statsig-sources:test"


class RecordingSleep:
    """Records every wait the client asks for; sleeps for real only when told to."""

    def __init__(self, real: bool = False) -> None:
        self.waits: list[float] = []
        self.real = real

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.real:
            time.sleep(seconds)


def source(name: str, **fields: Any) -> dict[str, Any]:
    """A minimal valid desired source payload, in the API's field names."""
    return {
        "name": name,
        "description": f"{name} events",
        "sql": f"select user_id, ts from statsig_staging.{name}",
        "timestampColumn": "ts",
        "idTypeMapping": [{"statsigUnitID": "userID", "column": "user_id"}],
        "tags": ["analytics"],
        **fields,
    }


def without_read_line(stdout: str) -> str:
    """A text report after its first line, which must name the manifest the command read."""
    first, _, rest = stdout.partition("\n")
    assert first.startswith("Read "), stdout
    return rest
