"""The registration plan: a pure diff of each kind's declared payloads against what Statsig holds
(kinds.py describes each kind; this module names none).

Every payload we write carries the ownership marker (a tag unique to this tool and project) and
`isReadOnly: true`. A remote object with the marker is ours; one without it is never touched unless
its name is adopted explicitly (`--adopt`), and one with another project's marker unless it is taken
over (`--take-over`). An update sends what Statsig holds merged with what is declared (merge.py), and
the plan lists exactly the fields of that body that differ from Statsig's, after normalising what
Statsig fills in or reorders (each kind's normal form). An object that reads a blocked one (a metric
on a blocked source) is blocked too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from statsig_sources.declaration.ownership import has_marker, other_markers
from statsig_sources.registration.kinds import KINDS, KindSpec
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
from statsig_sources.support.errors import InputError

__all__ = ["Action", "FieldChange", "Kind", "Plan", "PlanItem", "Wanted", "build_plan", "plan_kinds"]

Body = Mapping[str, Any]


@dataclass(frozen=True)
class Wanted:
    """One kind's side of a plan: what the project declares, and what Statsig holds (None: not read,
    so the kind is left out of the plan)."""

    declared: Sequence[Body]
    remote: Sequence[Body] | None


def build_plan(
    desired: Sequence[Body],
    remote: Sequence[Body],
    marker: str,
    adopt: set[str],
    *,
    metrics: Sequence[Body] = (),
    remote_metrics: Sequence[Body] | None = None,
    take_over: set[str] | None = None,
) -> Plan:
    """Compare desired source payloads (API field names) with the remote sources, by name, and desired
    metric payloads with the remote metrics, by id (when `remote_metrics` were read)."""
    wanted = {Kind.SOURCE: Wanted(desired, remote), Kind.METRIC: Wanted(metrics, remote_metrics)}
    return plan_kinds(wanted, marker, adopt, take_over or set())


def plan_kinds(wanted: Mapping[Kind, Wanted], marker: str, adopt: set[str], take_over: set[str]) -> Plan:
    """An item per declared object of each kind, then one per object of ours that dbt no longer
    declares. `adopt` names unmarked objects to manage, `take_over` objects another statsig-sources
    project's marker claims."""
    _check_names(wanted, marker, adopt, take_over)
    items: list[PlanItem] = []
    for spec in KINDS:
        side = wanted.get(spec.kind)
        if side is None or side.remote is None:
            continue
        blocked = {item.name for item in items if item.kind is spec.reads and item.action is Action.BLOCKED}
        asked = (adopt, take_over)
        remote = {str(found.get(spec.key_field)): found for found in side.remote}
        items += [
            _item(spec, body, remote.get(spec.identity(body)), marker, asked, blocked)
            for body in side.declared
        ]
        declared = {spec.identity(body) for body in side.declared}
        items += _orphans(spec, remote, declared, marker)
    return Plan(marker, tuple(items))


def _check_names(wanted: Mapping[Kind, Wanted], marker: str, adopt: set[str], take_over: set[str]) -> None:
    """Refuse, before anything is compared, what cannot be planned: every problem at once."""
    if not marker:
        raise InputError("The ownership marker must not be empty.")
    problems, every = [], set()
    for spec in KINDS:
        names = [str(body.get("name") or "") for body in _declared(wanted, spec)]
        noun = spec.kind.value
        problems += [f"a desired {noun} has no name (#{i + 1})" for i, name in enumerate(names) if not name]
        problems += [f"two desired {noun}s are named {name!r}" for name in duplicates(names)]
        every.update(names)
    for option, asked in (("--adopt", adopt), ("--take-over", take_over)):
        problems += [
            f"{option} {name!r}: no desired source or metric has that name" for name in sorted(asked - every)
        ]
    if problems:
        raise InputError("Cannot plan: " + "; ".join(problems) + ".")


def _declared(wanted: Mapping[Kind, Wanted], spec: KindSpec) -> Sequence[Body]:
    side = wanted.get(spec.kind)
    return side.declared if side is not None else ()


def _item(
    spec: KindSpec,
    desired: Body,
    remote: Body | None,
    marker: str,
    asked: tuple[Collection[str], Collection[str]],  # the names given to --adopt and --take-over
    blocked_reads: set[str],
) -> PlanItem:
    name = str(desired["name"])
    payload = managed_payload(desired, marker)
    reads = spec.depends_on(desired)
    item = PlanItem(Action.CREATE, name, payload, kind=spec.kind, id=spec.item_id(desired), reads=reads)
    blocked = [read for read in reads if read in blocked_reads]
    if blocked:
        reason = f"reads source {', '.join(f'`{source}`' for source in blocked)}, which is blocked"
        return replace(item, action=Action.BLOCKED, reason=reason)
    if remote is None:
        return item
    body = spec.merged(payload, remote)
    changes = spec.diff(body, remote)
    adopt, take_over = (name in names for names in asked)
    refusal = ownership_refusal(spec.kind, name, remote, marker, adopt=adopt, take_over=take_over)
    if refusal:
        return replace(item, action=Action.BLOCKED, payload=body, changes=changes, reason=refusal)
    if not changes:
        return replace(item, action=Action.UNCHANGED, payload=body)
    others = tuple(other_markers(remote, marker))
    adopted = bool(others) or not has_marker(remote, marker)
    reason = take_over_reason(others)
    return replace(
        item,
        action=Action.UPDATE,
        payload=body,
        changes=changes,
        reason=reason,
        adopted=adopted,
        taken_over_from=others,
    )


def _orphans(spec: KindSpec, remote: Mapping[str, Body], declared: set[str], marker: str) -> list[PlanItem]:
    """The objects of ours of this kind that dbt no longer declares."""
    return [
        PlanItem(
            Action.ORPHANED,
            str(found.get("name") or key),
            reason=orphan_reason(other_markers(found, marker)),
            kind=spec.kind,
            id=key if spec.key_field == "id" else "",
            reads=spec.depends_on(found),
        )
        for key, found in sorted(remote.items())
        if key not in declared and has_marker(found, marker)
    ]
