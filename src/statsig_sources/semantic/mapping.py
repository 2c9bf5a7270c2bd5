"""Semantic Layer metrics as Statsig metrics declared on the generated sources (docs/semantic-layer.md
has the table). Each metric is imported, approximated with a stated loss, or skipped with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from statsig_sources.semantic.filters import criteria
from statsig_sources.semantic.layer import Measure, Metric, MetricInput, SemanticLayer
from statsig_sources.semantic.names import statsig_metric_name, too_short
from statsig_sources.semantic.outcomes import APPROXIMATED, IMPORTED, SKIPPED, Outcome
from statsig_sources.semantic.sources import SourceBuilder

# MetricFlow aggregation -> Statsig's, and what an approximation loses ("" when exact).
AGGREGATIONS = {
    "sum": ("sum", ""),
    "sum_boolean": ("sum", ""),
    "count": ("count", ""),
    "count_distinct": ("count_distinct", ""),
    "average": ("mean", ""),
    "min": ("min", ""),
    "max": ("max", ""),
    "percentile": (
        "percentile",
        "percentile: Statsig computes its own percentile of the values "
        "(MetricFlow's discrete or approximate choice is not carried)",
    ),
    "median": (
        "percentile",
        "median as the 50th percentile: Statsig computes its own percentile of "
        "the values (MetricFlow's discrete or approximate choice is not carried)",
    ),
}
RATIO_PARTS = frozenset({"count", "count_distinct", "sum"})
_DIVISION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*/\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_PLAIN_COUNT = frozenset({"", "1", "*"})


class Skip(Exception):
    """Why a metric cannot be imported."""


@dataclass(frozen=True)
class Part:
    """A simple metric resolved to its source: the aggregation fields it contributes and its losses."""

    source: SourceBuilder
    fields: dict[str, Any]  # aggregation, value_column, percentile, criteria
    losses: tuple[str, ...]


def map_metrics(layer: SemanticLayer, builders: dict[str, SourceBuilder]) -> list[Outcome]:
    """Declare every metric that maps on its source's builder; one outcome per metric."""
    outcomes, names = [], set[str]()
    for metric in layer.metrics:
        name = statsig_metric_name(metric.label, metric.name)
        try:
            if too_short(name):
                raise Skip(f"its Statsig name `{name}` would be shorter than 4 characters")
            if name.lower() in names:
                raise Skip(f"another metric already takes the Statsig name `{name}`")
            source, declared, losses = _declare(metric, layer, builders)
        except Skip as skip:
            outcomes.append(Outcome("metric", metric.name, metric.label, SKIPPED, reason=str(skip)))
            continue
        names.add(name.lower())
        declared = {"name": name, **declared}
        if metric.description:
            declared["description"] = metric.description
        source.metrics.append(declared)
        status = APPROXIMATED if losses else IMPORTED
        became = f"Statsig metric `{name}` on source `{source.source_name}`"
        outcomes.append(Outcome("metric", metric.name, metric.label, status, became, "; ".join(losses)))
    return outcomes


def _declare(
    metric: Metric, layer: SemanticLayer, builders: dict[str, SourceBuilder]
) -> tuple[SourceBuilder, dict[str, Any], tuple[str, ...]]:
    if metric.type == "simple":
        part = _simple(metric, layer, builders, metric.filters)
        return part.source, part.fields, part.losses
    if metric.type == "ratio" and metric.numerator and metric.denominator:
        return _ratio(metric.numerator, metric.denominator, metric, layer, builders)
    if metric.type == "derived":
        return _derived(metric, layer, builders)
    if metric.type == "cumulative":
        raise Skip(
            "cumulative metrics (windows, grain_to_date) are not imported yet: rollup windows "
            "are a later issue"
        )
    if metric.type == "conversion":
        raise Skip("conversion metrics are not imported yet: funnels are a later issue")
    raise Skip(f"metric type `{metric.type}` is not one this import maps")


def _measure_of(metric: Metric, layer: SemanticLayer) -> Measure:
    if metric.inline_measure is not None:
        return metric.inline_measure
    measure = layer.measure(metric.measure.name) if metric.measure else None
    if measure is None:
        raise Skip("its measure is not in any semantic model")
    return measure


def _simple(
    metric: Metric, layer: SemanticLayer, builders: dict[str, SourceBuilder], filters: tuple[str, ...]
) -> Part:
    """A simple metric on its semantic model's source, with `filters` (its own and its reader's)."""
    measure = _measure_of(metric, layer)
    source = builders.get(measure.semantic_model)
    if source is None:
        raise Skip(f"its semantic model `{measure.semantic_model}` is not a metric source (see it above)")
    if measure.non_additive:
        raise Skip("its measure has a non_additive_dimension (a semi-additive snapshot)")
    if measure.agg_time_dimension and measure.agg_time_dimension != source.model.agg_time_dimension:
        raise Skip(f"its measure aggregates over `{measure.agg_time_dimension}`, not the source's timestamp")
    if measure.agg not in AGGREGATIONS:
        raise Skip(f"aggregation `{measure.agg}` has no Statsig counterpart")
    found = criteria(filters, source.model)
    if found.refused:
        raise Skip(found.refused)
    fields, losses = _aggregation(measure, source)
    if found.items:
        fields["criteria"] = [*fields.get("criteria", []), *found.items]
    if metric.measure is not None and metric.measure.fill_nulls:
        losses += (
            "fill_nulls_with is dropped: Statsig's per-unit analysis counts a unit with no rows as zero",
        )
    return Part(source, fields, losses)


def _aggregation(measure: Measure, source: SourceBuilder) -> tuple[dict[str, Any], tuple[str, ...]]:
    aggregation, loss = AGGREGATIONS[measure.agg]
    fields: dict[str, Any] = {"aggregation": aggregation}
    losses: tuple[str, ...] = (loss,) if loss else ()
    if measure.agg == "count":
        fields.update(_count_of(measure, source))
        if "criteria" not in fields and (measure.expr or "").strip() not in _PLAIN_COUNT:
            losses += (f"count counts every row, not only rows where `{measure.expr}` is not null",)
    elif measure.agg == "count_distinct":
        column = source.distinct_column(measure)
        if column is None:
            raise Skip(f"count_distinct of the expression `{measure.expr}` (a column is needed)")
        fields["value_column"] = column
    else:
        fields["value_column"] = source.measure_column(measure)
    if measure.agg == "median":
        fields["percentile"] = 50
    elif measure.agg == "percentile":
        if measure.percentile is None or not 0 < measure.percentile < 1:
            raise Skip("its percentile is not a fraction between 0 and 1")
        percent = round(measure.percentile * 100, 6)
        fields["percentile"] = int(percent) if percent.is_integer() else percent
    return fields, losses


def _count_of(measure: Measure, source: SourceBuilder) -> dict[str, Any]:
    """MetricFlow counts the rows where the expression is not null; Statsig counts rows. A plain
    column is passed through and filtered with `non_null`, which is the same count."""
    if (measure.expr or "").strip() in _PLAIN_COUNT:
        return {}
    column = source.distinct_column(measure)
    return {"criteria": [{"column": column, "condition": "non_null"}]} if column else {}


def _ratio(
    numerator: MetricInput,
    denominator: MetricInput,
    metric: Metric,
    layer: SemanticLayer,
    builders: dict[str, SourceBuilder],
) -> tuple[SourceBuilder, dict[str, Any], tuple[str, ...]]:
    """A ratio of two simple metrics: Statsig's ratio, declared on the numerator's source."""
    top, bottom = (
        _ratio_part(numerator, metric, layer, builders),
        _ratio_part(denominator, metric, layer, builders),
    )
    fields: dict[str, Any] = {"aggregation": "ratio", "numerator_aggregation": top.fields["aggregation"]}
    fields.update({key: value for key, value in top.fields.items() if key in {"value_column", "criteria"}})
    fields["denominator"] = {"source": bottom.source.source_name, **bottom.fields}
    return top.source, fields, top.losses + bottom.losses


def _ratio_part(
    reference: MetricInput, metric: Metric, layer: SemanticLayer, builders: dict[str, SourceBuilder]
) -> Part:
    if reference.offset:
        raise Skip(f"input `{reference.name}` is offset in time (offset_window or offset_to_grain)")
    part_metric = next((item for item in layer.metrics if item.name == reference.name), None)
    if part_metric is None or part_metric.type != "simple":
        raise Skip(f"input `{reference.name}` is not a simple metric")
    filters = part_metric.filters + reference.filters + metric.filters
    part = _simple(part_metric, layer, builders, filters)
    if part.fields["aggregation"] not in RATIO_PARTS:
        raise Skip(
            f"input `{reference.name}` aggregates with `{part.fields['aggregation']}` (a ratio "
            "takes count, count_distinct or sum)"
        )
    return part


def _derived(
    metric: Metric, layer: SemanticLayer, builders: dict[str, SourceBuilder]
) -> tuple[SourceBuilder, dict[str, Any], tuple[str, ...]]:
    """A derived `a / b` of two inputs is a ratio; any other expression is skipped."""
    match = _DIVISION.match(metric.expr)
    if match is None:
        raise Skip(f"derived expression `{metric.expr}` is not one input divided by another")
    by_alias = {item.alias or item.name: item for item in metric.inputs}
    top, bottom = by_alias.get(match.group(1)), by_alias.get(match.group(2))
    if top is None or bottom is None:
        raise Skip(f"derived expression `{metric.expr}` names a metric it does not list")
    return _ratio(top, bottom, metric, layer, builders)
