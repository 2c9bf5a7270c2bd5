"""What the import made of each semantic model and metric, for the report."""

from __future__ import annotations

from dataclasses import dataclass

IMPORTED, APPROXIMATED, SKIPPED = "imported", "approximated", "skipped"


@dataclass(frozen=True)
class Outcome:
    kind: str  # "semantic model" or "metric"
    name: str  # the dbt name
    label: str
    status: str  # IMPORTED, APPROXIMATED or SKIPPED
    became: str = ""  # what it became: a model, or a Statsig metric on a source
    reason: str = ""  # why it was skipped, or what an approximation loses
