"""The metrics half of a registration plan: desired metric payloads (metric_payloads.py) against
Statsig's metrics, by id (`<name>::user_warehouse`).

A metric with the marker is ours; one without it is never touched unless its name is adopted. Only the
fields we set are compared, each `warehouseNative` field on its own, after normalising what Statsig
fills in (the OpenAPI document's default `directionality: increase`, empty lists and text), orders
(tags, unit types, criteria and their values, dimensions) or answers in another shape (the owner we
set as `email` comes back as `ownerEmail`). A metric that reads a blocked source is blocked too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from statsig_sources.core.metrics import metric_id
from statsig_sources.core.ownership import has_marker, other_markers
from statsig_sources.registration.plan_items import (
    Action,
    FieldChange,
    Kind,
    PlanItem,
    managed_payload,
    orphan_reason,
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
        elif key == "owner" and _owner(wanted) != _owner(current, like=wanted):
            changes.append(FieldChange(key, current, wanted))
        elif key != "owner" and _normal(key, wanted) != _normal(key, current):
            changes.append(FieldChange(key, current, wanted))
    return tuple(changes)


def _native_changes(wanted: Mapping[str, Any], current: Mapping[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(f"warehouseNative.{key}", current.get(key, NATIVE_DEFAULTS.get(key)), value)
        for key, value in wanted.items()
        if _normal(key, value) != _normal(key, current.get(key))
    ]


def _owner(owner: Any, like: Any = None) -> dict[str, Any]:
    """The owner as a read answers it: only the fields we set (`email` is read back as `ownerEmail`)."""
    given = owner if isinstance(owner, Mapping) else {}
    if like is None:
        return {OWNER_FIELDS[key]: value for key, value in given.items() if key in OWNER_FIELDS}
    return {field: given.get(field) for field in _owner(like)}


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
) -> list[PlanItem]:
    """An item per desired metric, then one per metric of ours that dbt no longer declares."""
    remote_by_id = {str(metric.get("id")): metric for metric in remote}
    items = [
        _item(body, remote_by_id.get(identity(body)), marker, str(body["name"]) in adopt, blocked_sources)
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
    adopt: bool,
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
    changes = metric_diff(payload, remote)
    if not has_marker(remote, marker) and not adopt:
        reason = (
            f"a metric named {name!r} exists in Statsig without the marker {marker!r}; "
            f"pass --adopt {name!r} to manage it"
        )
        return replace(item, action=Action.BLOCKED, changes=changes, reason=reason)
    action = Action.UPDATE if changes else Action.UNCHANGED
    adopted = action is Action.UPDATE and adopt and not has_marker(remote, marker)
    return replace(item, action=action, changes=changes, adopted=adopted)
