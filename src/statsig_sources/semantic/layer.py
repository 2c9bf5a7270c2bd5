"""The dbt Semantic Layer as a manifest holds it: semantic models, their entities, dimensions and
measures, and metrics, in both specs.

The legacy spec's simple metric names a measure of a semantic model (`type_params.measure`); the newer
spec's (dbt-core 1.12, dbt v2) carries its aggregation itself (`type_params.metric_aggregation_params`,
and the expression as the metric's `expr`). Both read as one `Measure`, so the mapping sees one shape.
Every field is read tolerantly: a missing or odd value reads as absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statsig_sources.artifacts.fields import NodeName, SemanticLayerFields, read_object


@dataclass(frozen=True)
class Named:
    """An entity or a dimension: its name, kind and the column (or SQL expression) it reads."""

    name: str
    kind: str  # an entity's type (primary, foreign...) or a dimension's (categorical, time)
    column: str  # `expr`, else the name
    has_expr: bool = False
    granularity: str = ""  # a time dimension's


@dataclass(frozen=True)
class Measure:
    name: str
    semantic_model: str
    agg: str
    expr: str | None
    percentile: float | None = None
    non_additive: bool = False
    agg_time_dimension: str = ""


@dataclass(frozen=True)
class SemanticModel:
    name: str
    description: str
    model_name: str  # the dbt model it reads, for `ref()`
    entities: tuple[Named, ...]
    dimensions: tuple[Named, ...]
    measures: tuple[Measure, ...]
    agg_time_dimension: str
    primary_entity: str


@dataclass(frozen=True)
class MetricInput:
    """A metric read by another (a ratio's numerator, a derived metric's input), or a simple metric's
    measure, with what that reference adds."""

    name: str
    filters: tuple[str, ...] = ()
    alias: str = ""
    offset: bool = False  # offset_window or offset_to_grain
    fill_nulls: bool = False


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    description: str
    type: str
    filters: tuple[str, ...]
    measure: MetricInput | None = None
    inline_measure: Measure | None = None  # the newer spec's aggregation on the metric itself
    numerator: MetricInput | None = None
    denominator: MetricInput | None = None
    expr: str = ""
    inputs: tuple[MetricInput, ...] = ()
    cumulative_grain_to_date: bool = False


# The meta key where a generated model records the var `statsig_entity_unit_types` as dbt resolved it.
RECORDED_UNITS_KEY = "statsig_entity_unit_types"


@dataclass(frozen=True)
class SemanticLayer:
    semantic_models: tuple[SemanticModel, ...]
    metrics: tuple[Metric, ...]
    recorded_unit_types: dict[str, Any] = field(default_factory=dict)  # model name -> recorded var

    def measure(self, name: str) -> Measure | None:
        for model in self.semantic_models:
            for measure in model.measures:
                if measure.name == name:
                    return measure
        return None

    def model(self, name: str) -> SemanticModel | None:
        return next((model for model in self.semantic_models if model.name == name), None)


def load_semantic_layer(path: Path) -> SemanticLayer:
    """The semantic models and metrics of the manifest at `path`, in name order."""
    fields = read_object(path, "manifest", SemanticLayerFields)
    nodes = fields.nodes if isinstance(fields.nodes, dict) else {}
    models = [_semantic_model(raw, nodes) for raw in _values(fields.semantic_models)]
    metrics = [_metric(raw) for raw in _values(fields.metrics)]
    return SemanticLayer(
        tuple(sorted((model for model in models if model.name), key=lambda model: model.name)),
        tuple(sorted((metric for metric in metrics if metric.name), key=lambda metric: metric.name)),
        _recorded_unit_types(nodes),
    )


def _field(value: Any, name: str) -> Any:
    """A field of a decoded node, whether msgspec shaped it or `json` left it a dict (fields.py)."""
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def _recorded_unit_types(nodes: Mapping[str, Any]) -> dict[str, Any]:
    recorded = {}
    for node in nodes.values():
        name, meta = _field(node, "name"), _field(_field(node, "config"), "meta")
        if isinstance(meta, dict) and RECORDED_UNITS_KEY in meta and isinstance(name, str):
            recorded[name] = meta[RECORDED_UNITS_KEY]
    return recorded


def _values(value: Any) -> list[Mapping[str, Any]]:
    found = value.values() if isinstance(value, dict) else []
    return [item for item in found if isinstance(item, dict)]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _named(raw: Mapping[str, Any]) -> Named:
    name, expr = _text(raw.get("name")), _text(raw.get("expr"))
    granularity = _text(_mapping(raw.get("type_params")).get("time_granularity"))
    return Named(name, _text(raw.get("type")), expr or name, bool(expr) and expr != name, granularity)


def _semantic_model(raw: Mapping[str, Any], nodes: Mapping[str, NodeName]) -> SemanticModel:
    name = _text(raw.get("name"))
    agg_time = _text(_mapping(raw.get("defaults")).get("agg_time_dimension"))
    return SemanticModel(
        name=name,
        description=_text(raw.get("description")),
        model_name=_model_name(raw, nodes),
        entities=tuple(_named(item) for item in _list(raw.get("entities"))),
        dimensions=tuple(_named(item) for item in _list(raw.get("dimensions"))),
        measures=tuple(_measure(item, name, agg_time) for item in _list(raw.get("measures"))),
        agg_time_dimension=agg_time,
        primary_entity=_text(raw.get("primary_entity")),
    )


def _model_name(raw: Mapping[str, Any], nodes: Mapping[str, NodeName]) -> str:
    """The name of the one model the semantic model reads (its first model dependency)."""
    depends_on = _mapping(raw.get("depends_on")).get("nodes")
    for unique_id in depends_on if isinstance(depends_on, list) else []:
        name = _field(nodes.get(unique_id), "name") if isinstance(unique_id, str) else None
        if isinstance(name, str) and unique_id.startswith("model."):
            return name
    return ""


def _measure(raw: Mapping[str, Any], semantic_model: str, agg_time: str) -> Measure:
    percentile = _mapping(raw.get("agg_params")).get("percentile")
    return Measure(
        name=_text(raw.get("name")),
        semantic_model=semantic_model,
        agg=_text(raw.get("agg")),
        expr=_text(raw.get("expr")) or None,
        percentile=float(percentile) if isinstance(percentile, (int, float)) else None,
        non_additive=isinstance(raw.get("non_additive_dimension"), dict),
        agg_time_dimension=_text(raw.get("agg_time_dimension")) or agg_time,
    )


def _filters(value: Any) -> tuple[str, ...]:
    """A `filter` value's where-clauses: `{where_filters: [{where_sql_template}]}`."""
    wheres = _list(_mapping(value).get("where_filters"))
    return tuple(text for text in (_text(item.get("where_sql_template")) for item in wheres) if text)


def _input(value: Any) -> MetricInput | None:
    raw = _mapping(value)
    name = _text(raw.get("name"))
    if not name:
        return None
    return MetricInput(
        name=name,
        filters=_filters(raw.get("filter")),
        alias=_text(raw.get("alias")),
        offset=raw.get("offset_window") is not None or raw.get("offset_to_grain") is not None,
        fill_nulls=raw.get("fill_nulls_with") is not None,
    )


def _metric(raw: Mapping[str, Any]) -> Metric:
    params = _mapping(raw.get("type_params"))
    cumulative = _mapping(params.get("cumulative_type_params"))
    name = _text(raw.get("name"))
    return Metric(
        name=name,
        label=_text(raw.get("label")),
        description=_text(raw.get("description")),
        type=_text(raw.get("type")),
        filters=_filters(raw.get("filter")),
        measure=_input(params.get("measure")),
        inline_measure=_inline_measure(name, raw, params),
        numerator=_input(params.get("numerator")),
        denominator=_input(params.get("denominator")),
        expr=_text(params.get("expr")),
        inputs=tuple(item for item in map(_input, _list(params.get("metrics"))) if item is not None),
        cumulative_grain_to_date=bool(cumulative.get("grain_to_date") or params.get("grain_to_date")),
    )


def _inline_measure(name: str, raw: Mapping[str, Any], params: Mapping[str, Any]) -> Measure | None:
    """The newer spec: a simple metric's own aggregation, `metric_aggregation_params`."""
    aggregation = _mapping(params.get("metric_aggregation_params"))
    if not aggregation:
        return None
    percentile = _mapping(aggregation.get("agg_params")).get("percentile")
    return Measure(
        name=name,
        semantic_model=_text(aggregation.get("semantic_model")),
        agg=_text(aggregation.get("agg")),
        expr=_text(params.get("expr")) or _text(raw.get("expr")) or None,
        percentile=float(percentile) if isinstance(percentile, (int, float)) else None,
        non_additive=isinstance(aggregation.get("non_additive_dimension"), dict),
        agg_time_dimension=_text(aggregation.get("agg_time_dimension")),
    )
