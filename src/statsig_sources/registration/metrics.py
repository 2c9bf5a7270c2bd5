"""The metric kind: Statsig metric payloads for the code-declared metrics (docs/metrics.md), built purely
from a validated project (exactly what `render` writes to metric_sources/metrics/ and what `apply`
sends), and their normal form against what Statsig holds (registration/kinds.py lists each kind).

Field names are Statsig's `MetricCreationContractDto` (a warehouse-native metric: `type:
user_warehouse`, everything about its data inside `warehouseNative`), plus `owner` in the shape of
`MetricsUpdateContractDto`, which alone can set it (apply sets it with an update after the create).
Columns are named as the warehouse reports them (upper case on Snowflake), custom fields as declared.

An update sends what Statsig holds merged with what is declared (merge.py): every `warehouseNative`
field the declaration does not manage (cap, winsorization, CUPED window, bake days, ...) as Statsig
holds it, since an update replaces that object as a whole. The plan lists the fields of that body that
differ, each `warehouseNative` field on its own, including a managed one the body leaves out (which the
update clears), after normalising what Statsig fills in (the OpenAPI document's default `directionality:
increase`, empty lists and text), orders (tags, unit types, criteria and their values, dimensions) or
answers in another shape (the owner we set as `email` comes back as `ownerEmail`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from statsig_sources.declaration.contract import declaration_contract
from statsig_sources.declaration.metrics import METRIC_TYPE, Criterion, MetricDeclaration, metric_id
from statsig_sources.declaration.source import Declaration, canonical_columns, fold_case
from statsig_sources.project import Project, declared_sources
from statsig_sources.registration.merge import METRIC_FIELDS, NATIVE_FIELDS, is_empty, merge
from statsig_sources.registration.plan_items import FieldChange

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


REMOTE_DEFAULTS: Mapping[str, Any] = {
    "description": "",
    "tags": [],
    "unitTypes": [],
    "directionality": "increase",
    "isReadOnly": False,
}
NATIVE_DEFAULTS: Mapping[str, Any] = {"criteria": [], "metricDimensionColumns": [], "denominatorCriteria": []}
NOT_COMPARED = frozenset({"name", "type", "dryRun"})
OWNER_FIELDS = {"email": "ownerEmail", "ownerID": "ownerID"}  # update's owner -> what a read answers
SETS = frozenset({"tags", "unitTypes", "metricDimensionColumns"})
CRITERIA = frozenset({"criteria", "denominatorCriteria"})
# The `warehouseNative` fields a declaration manages: one it leaves out is cleared by an update.
MANAGED_NATIVE = frozenset(NATIVE_ORDER)


def identity(body: Mapping[str, Any]) -> str:
    return metric_id(str(body.get("name") or ""))


def reads(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The sources a metric payload names, its own first."""
    native = body.get("warehouseNative") or {}
    names = [native.get("metricSourceName"), native.get("denominatorMetricSourceName")]
    return tuple(dict.fromkeys(name for name in names if isinstance(name, str) and name))


def metric_diff(intended: Mapping[str, Any], remote: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Fields of `intended` (and of its `warehouseNative`, one by one) whose normalised value differs."""
    changes = []
    for key, wanted in intended.items():
        current = remote.get(key, REMOTE_DEFAULTS.get(key))
        if key in NOT_COMPARED:
            continue
        if key == "warehouseNative":
            changes += _native_changes(wanted, current if isinstance(current, Mapping) else {})
        elif key == "owner" and not _same_owner(wanted, current):
            changes.append(FieldChange(key, current, wanted))
        elif key != "owner" and _normal(key, wanted) != _normal(key, current):
            changes.append(FieldChange(key, current, wanted))
    return tuple(changes)


def _native_changes(wanted: Mapping[str, Any], current: Mapping[str, Any]) -> list[FieldChange]:
    """The fields of `wanted` that differ, then each managed field it leaves out that Statsig holds."""
    changes = [
        FieldChange(f"warehouseNative.{key}", current.get(key, NATIVE_DEFAULTS.get(key)), value)
        for key, value in wanted.items()
        if _normal(key, value) != _normal(key, current.get(key))
    ]
    cleared = sorted(key for key in MANAGED_NATIVE - set(wanted) if not is_empty(current.get(key)))
    return changes + [FieldChange(f"warehouseNative.{key}", current[key], None) for key in cleared]


def merged_metric(declared: Mapping[str, Any], remote: Mapping[str, Any]) -> dict[str, Any]:
    """The body of an update of `remote` to `declared` (merge.py), in MetricsUpdateContractDto's shape.

    An owner the declaration does not set is not sent: an update names an owner by id or e-mail, which
    Statsig looks up again, and leaves the one it holds when none is sent."""
    top = {key: value for key, value in declared.items() if key != "warehouseNative"}
    body = merge(top, remote, fields=METRIC_FIELDS - {"owner"}, managed=top, spelled=_spelled)
    native = remote.get("warehouseNative")
    body["warehouseNative"] = merge(
        declared.get("warehouseNative") or {},
        native if isinstance(native, Mapping) else {},
        fields=NATIVE_FIELDS,
        managed=MANAGED_NATIVE,
        spelled=_spelled,
    )
    return update_body(body)


def _spelled(key: str, declared: Any, remote: Any) -> Any:
    """The remote's value where it means the same as the declared one; criteria one by one."""
    if key == "owner":
        return declared  # an update's owner has another shape than the one Statsig answers
    if key in CRITERIA and isinstance(declared, list) and isinstance(remote, list):
        found = {_criterion_key(item): item for item in remote if isinstance(item, Mapping)}
        return [
            found.get(_criterion_key(item), item) if isinstance(item, Mapping) else item for item in declared
        ]
    return remote if _normal(key, declared) == _normal(key, remote) else declared


def _owner_as_read(owner: Any) -> dict[str, Any]:
    """An owner in one normal form, the shape a read answers, whichever shape it comes in: an update
    names it `email`, a read `ownerEmail` (and Statsig may answer either)."""
    given = owner if isinstance(owner, Mapping) else {}
    found = {}
    for sent, read in OWNER_FIELDS.items():
        if given.get(read) is not None:
            found[read] = given[read]
        elif given.get(sent) is not None:
            found[read] = given[sent]
    return found


def _same_owner(wanted: Any, current: Any) -> bool:
    """Whether Statsig's owner is the declared one, on the fields the declaration sets (Statsig adds
    the owner's name and type)."""
    declared, held = _owner_as_read(wanted), _owner_as_read(current)
    return all(held.get(field) == value for field, value in declared.items())


def _normal(key: str, value: Any) -> Any:
    if value is None:
        value = REMOTE_DEFAULTS.get(key, NATIVE_DEFAULTS.get(key))
    if key in SETS:
        return sorted({str(item) for item in value or ()})
    if key in ("criteria", "denominatorCriteria"):
        return sorted(_criterion_key(item) for item in value or () if isinstance(item, Mapping))
    if key == "description" and isinstance(value, str):
        return value.strip()
    if key == "percentile" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _criterion_key(item: Mapping[str, Any]) -> tuple[str, str, str, tuple[str, ...]]:
    values = item.get("values")
    listed = tuple(sorted(str(value) for value in values)) if isinstance(values, list) else ()
    return (str(item.get("type") or ""), str(item.get("column") or ""), str(item.get("condition")), listed)
