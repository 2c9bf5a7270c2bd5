"""Statsig metric payloads for the code-declared metrics (docs/metrics.md), built purely from a validated
project: exactly what `render` writes to metric_sources/metrics/ and what `apply` sends.

Field names are Statsig's `MetricCreationContractDto` (a warehouse-native metric: `type:
user_warehouse`, everything about its data inside `warehouseNative`), plus `owner` in the shape of
`MetricsUpdateContractDto`, which alone can set it (apply sets it with an update after the create).
Columns are named as the warehouse reports them (upper case on Snowflake), custom fields as declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from statsig_sources.declaration.contract import declaration_contract
from statsig_sources.declaration.metrics import METRIC_TYPE, Criterion, MetricDeclaration
from statsig_sources.declaration.source import Declaration, canonical_columns, fold_case
from statsig_sources.project import Project, declared_sources

# The order fields are written in; `render` writes them in exactly this order.
FIELD_ORDER = (
    "name",
    "type",
    "description",
    "tags",
    "owner",
    "unitTypes",
    "directionality",
    "isReadOnly",
    "warehouseNative",
)
NATIVE_ORDER = (
    "aggregation",
    "metricSourceName",
    "numeratorAggregation",
    "valueColumn",
    "percentile",
    "criteria",
    "metricDimensionColumns",
    "denominatorMetricSourceName",
    "denominatorAggregation",
    "denominatorValueColumn",
    "denominatorCriteria",
)
CREATE_ONLY = frozenset({"name", "type"})  # MetricsUpdateContractDto has no `type`; a name is not renamed
UPDATE_ONLY = frozenset({"owner"})  # MetricCreationContractDto has no `owner`
DEFAULT_DIRECTIONALITY = "increase"  # the OpenAPI document's default


@dataclass(frozen=True)
class MetricPayload:
    """One metric's payload, the model that declares it and the sources it reads."""

    name: str
    id: str  # `<name>::user_warehouse`
    node_id: str
    sources: tuple[str, ...]  # its source, then a ratio's denominator source when that is another
    body: dict[str, Any]


def build_metric_payloads(project: Project) -> list[MetricPayload]:
    """Payloads for every metric of every source whose declaration parsed, sorted by name."""
    adapter = project.manifest.adapter_type
    declarations = {source.name: declaration for source, declaration in declared_sources(project)}
    payloads = []
    for source, declaration in declared_sources(project):
        for metric in declaration.metrics:
            other = declarations.get(metric.denominator.source) if metric.denominator else None
            body = _body(metric, source.name, declaration, other, adapter, project.marker)
            reads = tuple(
                dict.fromkeys([source.name, *([metric.denominator.source] if metric.denominator else [])])
            )
            payloads.append(MetricPayload(metric.name, metric.id, source.model.unique_id, reads, body))
    return sorted(payloads, key=lambda payload: payload.name)


def _body(
    metric: MetricDeclaration,
    source: str,
    declaration: Declaration,
    denominator_declaration: Declaration | None,
    adapter: str,
    marker: str,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": metric.name,
        "type": METRIC_TYPE,
        "description": metric.description,
        "tags": sorted({*metric.tags, marker}),
        "owner": _owner(metric.owner),
        "unitTypes": list(metric.unit_types) or None,
        "directionality": metric.directionality or DEFAULT_DIRECTIONALITY,
        "isReadOnly": True,
        "warehouseNative": _native(metric, source, declaration, denominator_declaration, adapter),
    }
    return {key: body[key] for key in FIELD_ORDER if body[key] is not None}


def _native(
    metric: MetricDeclaration,
    source: str,
    declaration: Declaration,
    denominator_declaration: Declaration | None,
    adapter: str,
) -> dict[str, Any]:
    own = _columns(declaration, adapter)
    native: dict[str, Any] = {
        "aggregation": metric.aggregation,
        "metricSourceName": source,
        "numeratorAggregation": metric.numerator_aggregation,
        "valueColumn": own(metric.value_column),
        "percentile": metric.percentile,
        "criteria": [_criterion(criterion, own) for criterion in metric.criteria],
        "metricDimensionColumns": [own(column) for column in metric.dimensions],
    }
    denominator = metric.denominator
    if denominator is not None:
        theirs = _columns(denominator_declaration, adapter)
        native["denominatorMetricSourceName"] = denominator.source
        native["denominatorAggregation"] = denominator.aggregation
        native["denominatorValueColumn"] = theirs(denominator.value_column)
        native["denominatorCriteria"] = [_criterion(criterion, theirs) for criterion in denominator.criteria]
    return {key: native[key] for key in NATIVE_ORDER if native.get(key) is not None}


ColumnName = Callable[[str | None], str | None]


def _columns(declaration: Declaration | None, adapter: str) -> ColumnName:
    """A function naming a declared column as Statsig must: canonical columns in the warehouse's case,
    custom fields as declared."""
    canonical = set(canonical_columns(declaration, "")) if declaration is not None else set()

    def name(column: str | None) -> str | None:
        if column is None:
            return None
        return fold_case(column, adapter) if column in canonical else column

    return name


def _criterion(criterion: Criterion, column: ColumnName) -> dict[str, Any]:
    """Statsig's criterion: `type` is always `metadata` (its schema: the only type for Warehouse
    Native); a `sql_filter` carries its SQL as the one value."""
    found: dict[str, Any] = {"type": declaration_contract()["metrics"]["criterion_type"]}
    if criterion.column is not None:
        found["column"] = column(criterion.column)
    found["condition"] = criterion.condition
    if criterion.sql is not None:
        found["values"] = [criterion.sql]
    elif criterion.values is not None:
        found["values"] = list(criterion.values)
    return found


def _owner(owner: str | None) -> dict[str, str] | None:
    """MetricsUpdateContractDto's owner: an e-mail address, else a Statsig owner ID."""
    if owner is None:
        return None
    return {"email": owner} if "@" in owner else {"ownerID": owner}


def create_body(body: dict[str, Any]) -> dict[str, Any]:
    """What POST /metrics takes: the payload without the fields only an update sets."""
    return {key: value for key, value in body.items() if key not in UPDATE_ONLY}


def update_body(body: dict[str, Any]) -> dict[str, Any]:
    """What POST /metrics/{id} takes: the payload without the fields a create alone sets."""
    return {key: value for key, value in body.items() if key not in CREATE_ONLY}
