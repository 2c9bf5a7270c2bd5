"""A source's code-declared Statsig metrics (docs/metrics.md), parsed from a declaration the contract
passed (declaration/checker.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from statsig_sources.declaration.contract import declaration_contract

METRIC_TYPE: str = declaration_contract()["metrics"]["metric_type"]


def metric_id(name: str) -> str:
    """Statsig's id of a warehouse-native metric: `<name>::user_warehouse`."""
    return f"{name}::{METRIC_TYPE}"


@dataclass(frozen=True)
class Criterion:
    """One filter: `column condition values`, or `sql` for a `sql_filter`."""

    condition: str
    column: str | None = None
    values: tuple[str, ...] | None = None  # numbers written as Statsig reads them: text
    sql: str | None = None


@dataclass(frozen=True)
class Denominator:
    """A ratio's denominator: a declared source (by its Statsig name), aggregated on its own."""

    source: str
    aggregation: str
    value_column: str | None = None
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class MetricDeclaration:
    name: str
    aggregation: str
    numerator_aggregation: str | None = None
    value_column: str | None = None
    percentile: float | None = None
    criteria: tuple[Criterion, ...] = ()
    dimensions: tuple[str, ...] = ()
    denominator: Denominator | None = None
    directionality: str | None = None
    unit_types: tuple[str, ...] = ()
    description: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return metric_id(self.name)

    def own_columns(self) -> Iterator[tuple[str, str]]:
        """(key path, column) for every column read from the metric's own source, in declared order."""
        if self.value_column is not None:
            yield "value_column", self.value_column
        for number, criterion in enumerate(self.criteria, start=1):
            if criterion.column is not None:
                yield f"criteria[#{number}].column", criterion.column
        for column in self.dimensions:
            yield "dimensions", column

    def denominator_columns(self) -> Iterator[tuple[str, str]]:
        """(key path, column) for every column read from the denominator's source."""
        if self.denominator is None:
            return
        if self.denominator.value_column is not None:
            yield "denominator.value_column", self.denominator.value_column
        for number, criterion in enumerate(self.denominator.criteria, start=1):
            if criterion.column is not None:
                yield f"denominator.criteria[#{number}].column", criterion.column


def parse_metrics(raw: Sequence[Mapping[str, Any]] | None) -> tuple[MetricDeclaration, ...]:
    return tuple(_metric(item) for item in raw or ())


def _metric(raw: Mapping[str, Any]) -> MetricDeclaration:
    denominator = raw.get("denominator")
    return MetricDeclaration(
        name=raw["name"],
        aggregation=raw["aggregation"],
        numerator_aggregation=raw.get("numerator_aggregation"),
        value_column=raw.get("value_column"),
        percentile=raw.get("percentile"),
        criteria=_criteria(raw.get("criteria")),
        dimensions=tuple(raw.get("dimensions") or ()),
        denominator=_denominator(denominator) if denominator is not None else None,
        directionality=raw.get("directionality"),
        unit_types=tuple(raw.get("unit_types") or ()),
        description=raw.get("description"),
        owner=raw.get("owner"),
        tags=tuple(raw.get("tags") or ()),
    )


def _denominator(raw: Mapping[str, Any]) -> Denominator:
    return Denominator(
        source=raw["source"],
        aggregation=raw["aggregation"],
        value_column=raw.get("value_column"),
        criteria=_criteria(raw.get("criteria")),
    )


def _criteria(raw: Sequence[Mapping[str, Any]] | None) -> tuple[Criterion, ...]:
    return tuple(
        Criterion(
            condition=item["condition"],
            column=item.get("column"),
            values=tuple(str(value) for value in item["values"]) if item.get("values") is not None else None,
            sql=item.get("sql"),
        )
        for item in raw or ()
    )
