"""Statsig metric names from Semantic Layer metrics.

The name is the metric's `label`, else its dbt `name` (a label is what its readers already know it
by). Statsig accepts 4 to 200 letters, digits, spaces or `_ . - ( ) / % :`; one rule makes a name
valid: every other character becomes a space, runs of spaces become one, the ends are trimmed, and
the name is cut to 200 characters. A name shorter than 4 characters after that is skipped, as is a
second metric with the same name (Statsig compares names without case).
"""

from __future__ import annotations

import re

from statsig_sources.declaration.contract import contract

_METRIC_RULES = contract()["declaration"]["metrics"]
_NOT_ALLOWED = re.compile(r"[^a-zA-Z0-9_.\-()/ %:]")
_SPACES = re.compile(r" {2,}")


def statsig_metric_name(label: str, name: str) -> str:
    """The valid Statsig name for a metric labelled `label` (or named `name`); may be too short."""
    cleaned = _SPACES.sub(" ", _NOT_ALLOWED.sub(" ", label or name)).strip()
    return cleaned[: int(_METRIC_RULES["name_max_length"])]


def too_short(name: str) -> bool:
    return len(name) < int(_METRIC_RULES["name_min_length"])
