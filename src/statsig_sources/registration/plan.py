"""The registration plan: a pure diff of desired source and metric payloads against what Statsig holds
(metrics: metric_plan.py).

Every payload we write carries the ownership marker (a tag unique to this tool and project) and
`isReadOnly: true`. A remote source with the marker is ours; one without it is never touched unless
its name is adopted explicitly. Only the fields we set are compared, after normalising what Statsig
fills in or reorders (default values, tag and mapping order, owner details we did not send).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from statsig_sources.core.errors import InputError
from statsig_sources.core.ownership import has_marker, other_markers
from statsig_sources.core.remote_defaults import source_defaults
from statsig_sources.registration.metric_plan import metric_items
from statsig_sources.registration.plan_items import (
    Action,
    FieldChange,
    Kind,
    Plan,
    PlanItem,
    duplicates,
    managed_payload,
    orphan_reason,
)

__all__ = ["Action", "FieldChange", "Kind", "Plan", "PlanItem", "build_plan", "diff", "managed_payload"]

# What Statsig holds for a field a payload left out: one documented table (core/remote_defaults.py).
REMOTE_DEFAULTS: Mapping[str, Any] = source_defaults()
NOT_COMPARED = frozenset({"name", "dryRun"})


def diff(intended: Mapping[str, Any], remote: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Fields of `intended` whose normalised value differs from the remote's."""
    changes = []
    for key, wanted in intended.items():
        if key in NOT_COMPARED:
            continue
        current = remote.get(key, REMOTE_DEFAULTS.get(key))
        if _normal(key, wanted, wanted) != _normal(key, current, wanted):
            changes.append(FieldChange(key, current, wanted))
    return tuple(changes)


def _normal(key: str, value: Any, wanted: Any) -> Any:
    if value is None:
        value = REMOTE_DEFAULTS.get(key)
    if key == "tags":
        return sorted({str(tag) for tag in value or ()})
    if key == "idTypeMapping":
        return sorted((str(m.get("statsigUnitID")), str(m.get("column"))) for m in value or ())
    if key == "customFieldMapping":
        return sorted((str(m.get("key")), str(m.get("formula"))) for m in value or () if m.get("key"))
    if key == "owner":
        # Statsig may add ownerID/ownerType/name: compare only the owner keys we set.
        keys = wanted.keys() if isinstance(wanted, Mapping) else ()
        return {k: (value or {}).get(k) for k in keys} if value is not None or keys else None
    if key in ("sql", "description") and isinstance(value, str):
        return value.strip()
    return value


def build_plan(
    desired: Sequence[Mapping[str, Any]],
    remote: Sequence[Mapping[str, Any]],
    marker: str,
    adopt: set[str],
    *,
    metrics: Sequence[Mapping[str, Any]] = (),
    remote_metrics: Sequence[Mapping[str, Any]] | None = None,
) -> Plan:
    """Compare desired payloads (API field names) with the remote sources, by name, and desired metric
    payloads with the remote metrics, by id (when `remote_metrics` were read)."""
    if not marker:
        raise InputError("The ownership marker must not be empty.")
    names = [str(source.get("name") or "") for source in desired]
    metric_names = [str(metric.get("name") or "") for metric in metrics]
    problems = [f"a desired source has no name (#{i + 1})" for i, name in enumerate(names) if not name]
    problems += [f"two desired sources are named {name!r}" for name in duplicates(names)]
    problems += [f"two desired metrics are named {name!r}" for name in duplicates(metric_names)]
    unknown = sorted(adopt - set(names) - set(metric_names))
    problems += [f"--adopt {name!r}: no desired source or metric has that name" for name in unknown]
    if problems:
        raise InputError("Cannot plan: " + "; ".join(problems) + ".")
    remote_by_name = {str(source.get("name")): source for source in remote}
    items = [
        _item(source, remote_by_name.get(name), marker, name in adopt)
        for name, source in zip(names, desired, strict=True)
    ]
    wanted = set(names)
    items += [
        PlanItem(Action.ORPHANED, name, reason=orphan_reason(other_markers(source, marker)))
        for name, source in sorted(remote_by_name.items())
        if name not in wanted and has_marker(source, marker)
    ]
    if remote_metrics is not None:
        blocked = {item.name for item in items if item.action is Action.BLOCKED}
        items += metric_items(metrics, remote_metrics, marker, adopt, blocked)
    return Plan(marker, tuple(items))


def _item(desired: Mapping[str, Any], remote: Mapping[str, Any] | None, marker: str, adopt: bool) -> PlanItem:
    name = str(desired["name"])
    payload = managed_payload(desired, marker)
    if remote is None:
        return PlanItem(Action.CREATE, name, payload)
    changes = diff(payload, remote)
    if not has_marker(remote, marker) and not adopt:
        reason = (
            f"a source named {name!r} exists in Statsig without the marker {marker!r}; "
            f"pass --adopt {name!r} to manage it"
        )
        return PlanItem(Action.BLOCKED, name, payload, changes, reason)
    if not changes:
        return PlanItem(Action.UNCHANGED, name, payload)
    return PlanItem(Action.UPDATE, name, payload, changes, adopted=adopt and not has_marker(remote, marker))
