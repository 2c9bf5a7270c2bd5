"""The registration plan: a pure diff of desired source and metric payloads against what Statsig holds
(metrics: metric_plan.py).

Every payload we write carries the ownership marker (a tag unique to this tool and project) and
`isReadOnly: true`. A remote source with the marker is ours; one without it is never touched unless
its name is adopted explicitly (`--adopt`), and one with another project's marker unless it is taken
over (`--take-over`). An update sends what Statsig holds merged with what is declared (merge.py), and
the plan lists exactly the fields of that body that differ from Statsig's, after normalising what
Statsig fills in or reorders (default values, tag and mapping order, owner details we did not send).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from statsig_sources.declaration.ownership import has_marker, other_markers
from statsig_sources.registration.merge import SOURCE_FIELDS, merge, same_or_declared
from statsig_sources.registration.metric_plan import metric_items
from statsig_sources.registration.payloads import FIELD_ORDER
from statsig_sources.registration.plan_items import (
    Action,
    FieldChange,
    Kind,
    Plan,
    PlanItem,
    duplicates,
    managed_payload,
    orphan_reason,
    ownership_refusal,
    take_over_reason,
)
from statsig_sources.statsig.remote_defaults import source_defaults
from statsig_sources.support.errors import InputError

__all__ = [
    "Action",
    "FieldChange",
    "Kind",
    "Plan",
    "PlanItem",
    "build_plan",
    "diff",
    "managed_payload",
    "merged_source",
]

# What Statsig holds for a field a payload left out: one documented table (statsig/remote_defaults.py).
REMOTE_DEFAULTS: Mapping[str, Any] = source_defaults()
NOT_COMPARED = frozenset({"name", "dryRun"})
# The fields a declaration manages: all a payload may hold but `owner`, which it sets only when
# declared (an owner set in Statsig's console is kept). One it leaves out is cleared to its default.
MANAGED = frozenset(FIELD_ORDER) - {"owner"}
CLEARED = {key: value for key, value in REMOTE_DEFAULTS.items() if key in MANAGED}


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


def merged_source(declared: Mapping[str, Any], remote: Mapping[str, Any]) -> dict[str, Any]:
    """The body of an update of `remote` to `declared` (merge.py); the name, which an update cannot
    change, is the path's, not the body's."""
    body = merge(declared, remote, fields=SOURCE_FIELDS, managed=MANAGED, spelled=_spelled, cleared=CLEARED)
    body.pop("name", None)
    return body


def _same(key: str, declared: Any, remote: Any) -> bool:
    return bool(_normal(key, declared, declared) == _normal(key, remote, declared))


_spelled = same_or_declared(_same)


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
    take_over: set[str] | None = None,
) -> Plan:
    """Compare desired payloads (API field names) with the remote sources, by name, and desired metric
    payloads with the remote metrics, by id (when `remote_metrics` were read). `adopt` names unmarked
    objects to manage, `take_over` objects another statsig-sources project's marker claims."""
    if not marker:
        raise InputError("The ownership marker must not be empty.")
    names = [str(source.get("name") or "") for source in desired]
    metric_names = [str(metric.get("name") or "") for metric in metrics]
    problems = [f"a desired source has no name (#{i + 1})" for i, name in enumerate(names) if not name]
    problems += [f"two desired sources are named {name!r}" for name in duplicates(names)]
    problems += [f"two desired metrics are named {name!r}" for name in duplicates(metric_names)]
    taken = take_over or set()
    for option, asked in (("--adopt", adopt), ("--take-over", taken)):
        unknown = sorted(asked - set(names) - set(metric_names))
        problems += [f"{option} {name!r}: no desired source or metric has that name" for name in unknown]
    if problems:
        raise InputError("Cannot plan: " + "; ".join(problems) + ".")
    remote_by_name = {str(source.get("name")): source for source in remote}
    items = [
        _item(source, remote_by_name.get(name), marker, name in adopt, name in taken)
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
        items += metric_items(metrics, remote_metrics, marker, adopt, blocked, taken)
    return Plan(marker, tuple(items))


def _item(
    desired: Mapping[str, Any], remote: Mapping[str, Any] | None, marker: str, adopt: bool, take_over: bool
) -> PlanItem:
    name = str(desired["name"])
    payload = managed_payload(desired, marker)
    if remote is None:
        return PlanItem(Action.CREATE, name, payload)
    payload = merged_source(payload, remote)
    changes = diff(payload, remote)
    refusal = ownership_refusal(Kind.SOURCE, name, remote, marker, adopt=adopt, take_over=take_over)
    if refusal:
        return PlanItem(Action.BLOCKED, name, payload, changes, refusal)
    if not changes:
        return PlanItem(Action.UNCHANGED, name, payload)
    others = tuple(other_markers(remote, marker))
    adopted = bool(others) or not has_marker(remote, marker)
    reason = take_over_reason(others)
    return PlanItem(Action.UPDATE, name, payload, changes, reason, adopted=adopted, taken_over_from=others)
