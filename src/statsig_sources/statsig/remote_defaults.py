"""What Statsig holds for a metric-source field that a create left out, from one documented source.

The CLI compares only the fields it sets and reads an absent remote field as this default
(registration/plan.py); the stand-in fills these in on create (standin/), so a wrong default fails a
test instead of being agreed on twice. Where Statsig's OpenAPI document gives a field an `example`
(only `isVerified`), that example is the default; the others are inferred (Statsig documents no
defaults), and docs/registration.md lists them all, marked so (a test compares that table with this).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from statsig_sources.statsig.schema import properties

SCHEMA = "MetricSourceContractDto"

# Inferred: the empty value of each field's type, `query` for the source type, null where the
# document marks the field nullable.
INFERRED: dict[str, Any] = {
    "description": "",
    "tags": [],
    "sourceType": "query",
    "tableName": "",
    "timestampAsDay": False,
    "customFieldMapping": [],
    "isReadOnly": False,
    "isVerified": False,
    "datePartitionColumn": "",
    "owner": None,
    "team": None,
    "teamID": None,
}
# The examples of these fields are real objects (an owner), not defaults.
NOT_DEFAULTS = frozenset({"owner"})


@cache
def documented_examples() -> dict[str, Any]:
    """The `example` the OpenAPI document gives a metric-source field, for the fields above."""
    return {
        name: spec["example"]
        for name, spec in properties(SCHEMA).items()
        if name in INFERRED and name not in NOT_DEFAULTS and "example" in spec
    }


def source_defaults() -> dict[str, Any]:
    """Each field's default: the document's example where it has one, else the inferred value."""
    return {**INFERRED, **documented_examples()}


def default_origin(name: str) -> str:
    """`OpenAPI example` or `inferred`, as docs/registration.md labels the field."""
    return "OpenAPI example" if name in documented_examples() else "inferred"
