"""The metrics half of a registration plan: desired metric payloads (metric_payloads.py) against
Statsig's metrics, by id (`<name>::user_warehouse`).

A metric with the marker is ours; one without it is never touched unless its name is adopted, and one
with another project's marker unless it is taken over. An update sends what Statsig holds merged with
what is declared (merge.py): every `warehouseNative` field the declaration does not manage (cap,
winsorization, CUPED window, bake days, ...) as Statsig holds it, since an update replaces that object
as a whole. The plan lists the fields of that body that differ, each `warehouseNative` field on its
own, including a managed one the body leaves out (which the update clears), after normalising what
Statsig fills in (the OpenAPI document's default `directionality: increase`, empty lists and text),
orders (tags, unit types, criteria and their values, dimensions) or answers in another shape (the owner
we set as `email` comes back as `ownerEmail`). A metric that reads a blocked source is blocked too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from statsig_sources.declaration.metrics import metric_id
from statsig_sources.declaration.ownership import has_marker, other_markers
from statsig_sources.registration.merge import METRIC_FIELDS, NATIVE_FIELDS, is_empty, merge
from statsig_sources.registration.metric_payloads import NATIVE_ORDER, update_body
from statsig_sources.registration.plan_items import (
    Action,
    FieldChange,
    Kind,
    PlanItem,
    managed_payload,
    orphan_reason,
    ownership_refusal,
    take_over_reason,
)

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
        found = {_criterion(item): item for item in remote if isinstance(item, Mapping)}
        return [found.get(_criterion(item), item) if isinstance(item, Mapping) else item for item in declared]
    return remote if _normal(key, declared) == _normal(key, remote) else declared


def _owner(owner: Any) -> dict[str, Any]:
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
    declared, held = _owner(wanted), _owner(current)
    return all(held.get(field) == value for field, value in declared.items())


def _normal(key: str, value: Any) -> Any:
    if value is None:
        value = REMOTE_DEFAULTS.get(key, NATIVE_DEFAULTS.get(key))
    if key in SETS:
        return sorted({str(item) for item in value or ()})
    if key in ("criteria", "denominatorCriteria"):
        return sorted(_criterion(item) for item in value or () if isinstance(item, Mapping))
    if key == "description" and isinstance(value, str):
        return value.strip()
    if key == "percentile" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _criterion(item: Mapping[str, Any]) -> tuple[str, str, str, tuple[str, ...]]:
    values = item.get("values")
    listed = tuple(sorted(str(value) for value in values)) if isinstance(values, list) else ()
    return (str(item.get("type") or ""), str(item.get("column") or ""), str(item.get("condition")), listed)


def metric_items(
    desired: Sequence[Mapping[str, Any]],
    remote: Sequence[Mapping[str, Any]],
    marker: str,
    adopt: set[str],
    blocked_sources: set[str],
    take_over: Collection[str] = (),
) -> list[PlanItem]:
    """An item per desired metric, then one per metric of ours that dbt no longer declares."""
    remote_by_id = {str(metric.get("id")): metric for metric in remote}
    items = [
        _item(body, remote_by_id.get(identity(body)), marker, (adopt, take_over), blocked_sources)
        for body in desired
    ]
    wanted = {identity(body) for body in desired}
    items += [
        PlanItem(
            Action.ORPHANED,
            str(metric.get("name") or key),
            reason=orphan_reason(other_markers(metric, marker)),
            kind=Kind.METRIC,
            id=key,
            reads=reads(metric),
        )
        for key, metric in sorted(remote_by_id.items())
        if key not in wanted and has_marker(metric, marker)
    ]
    return items


def _item(
    desired: Mapping[str, Any],
    remote: Mapping[str, Any] | None,
    marker: str,
    asked: tuple[Collection[str], Collection[str]],  # the names given to --adopt and --take-over
    blocked_sources: set[str],
) -> PlanItem:
    name = str(desired["name"])
    payload = managed_payload(desired, marker)
    item = PlanItem(
        Action.CREATE, name, payload, kind=Kind.METRIC, id=identity(desired), reads=reads(desired)
    )
    blocked = [source for source in item.reads if source in blocked_sources]
    if blocked:
        reason = f"reads source {', '.join(f'`{source}`' for source in blocked)}, which is blocked"
        return replace(item, action=Action.BLOCKED, reason=reason)
    if remote is None:
        return item
    body = merged_metric(payload, remote)
    changes = metric_diff(body, remote)
    adopt, take_over = (name in names for names in asked)
    reason = ownership_refusal(Kind.METRIC, name, remote, marker, adopt=adopt, take_over=take_over)
    if reason:
        return replace(item, action=Action.BLOCKED, payload=body, changes=changes, reason=reason)
    if not changes:
        return replace(item, action=Action.UNCHANGED, payload=body)
    others = tuple(other_markers(remote, marker))
    adopted = bool(others) or not has_marker(remote, marker)
    return replace(
        item,
        action=Action.UPDATE,
        payload=body,
        changes=changes,
        reason=take_over_reason(others),
        adopted=adopted,
        taken_over_from=others,
    )
