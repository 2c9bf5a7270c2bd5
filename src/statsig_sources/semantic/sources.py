"""A semantic model as a metric source: the generated model's declaration, built up as metrics need
measures and columns.

Rules (docs/semantic-layer.md): unit ids are the entities the var `statsig_entity_unit_types` maps;
`timestamp` is the aggregation time dimension; a day (or coarser) grain makes the source `daily_fact`
(Statsig's `timestampAsDay`), a finer one `event_log`; categorical dimensions read straight from a
column become the source's dimensions; each measure an imported metric reads becomes a measure column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from statsig_sources.semantic.layer import Measure, SemanticModel

DAY_OR_COARSER = frozenset({"day", "week", "month", "quarter", "year"})
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_RESERVED = frozenset({"timestamp", "value"})


def model_name(semantic_model: str) -> str:
    """The generated dbt model's name."""
    return f"statsig_{semantic_model}"


@dataclass
class SourceBuilder:
    """The declaration of one semantic model's source; metrics add the measures they read."""

    model: SemanticModel
    unit_ids: dict[str, Any]
    timestamp: str
    granularity: str
    dimensions: list[str]
    measures: dict[str, str] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def source_name(self) -> str:
        return self.model.name

    def taken(self) -> set[str]:
        return {*self.unit_ids, *self.dimensions, *self.measures, *_RESERVED}

    def measure_column(self, measure: Measure) -> str:
        """The output column carrying `measure` (added on first use), a 64-bit double."""
        expression = measure.expr or measure.name
        if measure.agg == "sum_boolean":
            expression = f"case when ({expression}) then 1 else 0 end"
        for column, existing in self.measures.items():
            if existing == expression:
                return column
        # A plain column keeps its name (several measures often read one); else the measure's name.
        column = expression if _IDENTIFIER.fullmatch(expression) else measure.name
        if column in self.taken():
            column = f"measure_{measure.name}"
        self.measures[column] = expression
        return column

    def distinct_column(self, measure: Measure) -> str | None:
        """The column a count_distinct (or a count's null check) reads: a unit id or a plain upstream
        column passed through as a dimension (a double would change what is distinct); None for an
        expression."""
        expression = measure.expr or measure.name
        for column, unit in self.unit_ids.items():
            if expression == (unit["expression"] if isinstance(unit, dict) else column):
                return column
        if not _IDENTIFIER.fullmatch(expression) or expression in _RESERVED:
            return None
        if expression not in self.dimensions:
            if expression in self.taken():
                return None
            self.dimensions.append(expression)
        return expression

    def entry(self) -> dict[str, Any]:
        """The model's entry in its properties file."""
        statsig: dict[str, Any] = {
            "source_name": self.source_name,
            "granularity": self.granularity,
            "unit_ids": self.unit_ids,
            "timestamp": self.timestamp,
        }
        if self.measures:
            statsig["measures"] = dict(sorted(self.measures.items()))
        if self.dimensions:
            statsig["dimensions"] = list(self.dimensions)
        if self.model.description:
            statsig["description"] = self.model.description
        if self.metrics:
            statsig["metrics"] = sorted(self.metrics, key=lambda metric: str(metric["name"]))
        entry: dict[str, Any] = {"name": model_name(self.model.name)}
        if self.model.description:
            entry["description"] = self.model.description
        entry["config"] = {"materialized": "view", "meta": {"statsig": statsig}}
        # The view's canonical columns, documented so `validate` checks the metrics against them.
        columns = [*self.unit_ids, "timestamp", *sorted(self.measures), *self.dimensions]
        entry["columns"] = [{"name": column} for column in columns]
        return entry


def source_builder(model: SemanticModel, unit_types: dict[str, str]) -> SourceBuilder | str:
    """The builder of `model`'s source, or why the model cannot be a metric source."""
    if not model.model_name:
        return "it reads no dbt model"
    units = [entity for entity in model.entities if entity.name in unit_types]
    if not units:
        return "no entity of it is mapped to a Statsig unit type (var statsig_entity_unit_types)"
    time = next((item for item in model.dimensions if item.name == model.agg_time_dimension), None)
    if time is None or time.kind != "time":
        return "it has no aggregation time dimension (defaults.agg_time_dimension)"
    unit_ids: dict[str, Any] = {
        entity.name: (
            {"unit_type": unit_types[entity.name], "expression": entity.column}
            if entity.has_expr
            else unit_types[entity.name]
        )
        for entity in units
    }
    dimensions = [
        item.name
        for item in model.dimensions
        if item.kind == "categorical"
        and not item.has_expr
        and item.name not in unit_ids
        and _IDENTIFIER.fullmatch(item.name)
        and item.name not in _RESERVED
    ]
    granularity = "daily_fact" if time.granularity.lower() in DAY_OR_COARSER else "event_log"
    return SourceBuilder(model, unit_ids, time.column, granularity, dimensions)
