"""Carry out a registration plan against Statsig, then read back what was written: one algorithm over
the kinds (kinds.py), naming none.

In an order that keeps every object's dependencies in place while it exists: creates and updates in
the kinds' order (sources, then the metrics that read them), prunes in the reverse order (a metric is
pruned before its source, so a source whose last metric goes in this run can go too). An object whose
dependency could not be written in this run is not sent.

Idempotent by construction: the plan is recomputed from Statsig's state, so a second apply writes
nothing and an interrupted one converges when rerun. An update sends the plan item's payload as it
is: what Statsig held merged with what is declared (merge.py). A create refused as "already exists"
(typically the retry of a create whose answer was lost with a dropped connection) is resolved by
reading the object: ours (it carries the marker) is updated if it differs, merged with what was read;
anyone else's is reported as blocked. Pruning deletes an object of ours only when nothing in Statsig
uses it, after reading it again to check the marker.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from statsig_sources.registration.kinds import KINDS, KindSpec, spec_of
from statsig_sources.registration.outcomes import (
    PROBLEMS,
    ApplyResult,
    Outcome,
    Status,
    not_ours_to_delete,
)
from statsig_sources.registration.plan_items import (
    Action,
    FieldChange,
    Kind,
    Plan,
    PlanItem,
    ownership_refusal,
)
from statsig_sources.statsig.api import AlreadyExistsError, ApiError, StatsigClient

__all__ = ["PROBLEMS", "ApplyResult", "Outcome", "Status", "actionable", "apply_plan", "planned_writes"]


def _phase(item: PlanItem) -> int:
    order = [spec.kind for spec in KINDS].index(item.kind)
    return 2 * len(KINDS) - 1 - order if item.action is Action.ORPHANED else order


def actionable(plan: Plan) -> tuple[PlanItem, ...]:
    """The items apply acts on, in the order it acts on them."""
    return tuple(sorted((item for item in plan.items if item.action is not Action.UNCHANGED), key=_phase))


def planned_writes(items: Sequence[PlanItem]) -> int:
    """The writes `items` take at most: one each, and more for a create that takes more (a metric
    created with an owner: only an update sets one)."""
    return sum(
        spec_of(item.kind).create_writes(item.payload)
        if item.action is Action.CREATE and item.payload is not None
        else 1
        for item in items
    )


def apply_plan(
    plan: Plan,
    client: StatsigClient,
    *,
    prune: bool = False,
    dry_run: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> ApplyResult:
    """Write every create and update, prune orphans when asked, and verify the writes."""
    outcomes = []
    unwritten: set[tuple[Kind, str]] = set()  # what an object that reads it cannot be sent for
    for item in actionable(plan):
        outcome = _carry_out(item, client, plan.marker, (prune, dry_run), unwritten)
        if item.action is not Action.ORPHANED and outcome.status is not Status.DONE:
            unwritten.add((item.kind, item.name))
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    if not dry_run:
        outcomes = _read_back(plan, outcomes, client)
    return ApplyResult(tuple(outcomes))


def _carry_out(
    item: PlanItem,
    client: StatsigClient,
    marker: str,
    how: tuple[bool, bool],
    unwritten: set[tuple[Kind, str]],
) -> Outcome:
    """`how`: (prune, dry run). `unwritten`: what this run could not create or update (or, in a dry
    run, only validated)."""
    prune, dry_run = how
    spec = spec_of(item.kind)
    missing = [name for name in item.reads if (spec.reads, name) in unwritten]
    if item.action in (Action.CREATE, Action.UPDATE) and missing:
        why = "only validated in a dry run" if dry_run else "not written"
        message = f"not sent: its source {', '.join(f'`{name}`' for name in missing)} was {why}"
        return _outcome(item, Status.SKIPPED if dry_run else Status.FAILED, message)
    try:
        if item.action is Action.CREATE and item.payload is not None:
            return _create(spec, item, item.payload, client, marker, dry_run)
        if item.action is Action.UPDATE and item.payload is not None:
            spec.update(client, item.key, item.payload, dry_run)
            return _outcome(item, _done(dry_run), _fields(item.changes), int(not dry_run))
        if item.action is Action.ORPHANED:
            return _prune(spec, item, client, marker, prune, dry_run)
        return _outcome(item, Status.BLOCKED, item.reason)
    except ApiError as exc:
        return _outcome(item, Status.FAILED, str(exc))


def _outcome(item: PlanItem, status: Status, message: str = "", writes: int = 0) -> Outcome:
    return Outcome(item.name, item.action, status, message, writes=writes, kind=item.kind)


def _done(dry_run: bool) -> Status:
    return Status.VALIDATED if dry_run else Status.DONE


def _create(
    spec: KindSpec,
    item: PlanItem,
    payload: Mapping[str, Any],
    client: StatsigClient,
    marker: str,
    dry_run: bool,
) -> Outcome:
    try:
        writes = spec.create(client, payload, dry_run)
    except AlreadyExistsError:
        return _existing(spec, item, payload, client, marker, dry_run)
    return _outcome(item, _done(dry_run), writes=writes)


def _existing(
    spec: KindSpec,
    item: PlanItem,
    payload: Mapping[str, Any],
    client: StatsigClient,
    marker: str,
    dry_run: bool,
) -> Outcome:
    remote = spec.get(client, item.key)
    if remote is None:
        return _outcome(item, Status.FAILED, "refused as existing, yet not found on reading")
    refusal = ownership_refusal(spec.kind, item.name, remote, marker, adopt=False, take_over=False)
    if refusal:
        return _outcome(item, Status.BLOCKED, f"created meanwhile: {refusal}")
    body = spec.merged(payload, remote)
    changes = spec.diff(body, remote)
    if changes:
        spec.update(client, item.key, body, dry_run)
    # The create that took effect (its answer lost) was a write, and so is the update after it.
    writes = 0 if dry_run else 1 + bool(changes)
    return _outcome(item, _done(dry_run), "already existed with the marker (an earlier attempt)", writes)


def _prune(
    spec: KindSpec, item: PlanItem, client: StatsigClient, marker: str, prune: bool, dry_run: bool
) -> Outcome:
    if not prune:
        return _outcome(item, Status.KEPT, "kept: pass --prune to delete it")
    try:
        users = spec.users(client, item.key)
    except ApiError as exc:
        if exc.status == 404:
            return _outcome(item, Status.DONE, "already deleted")
        raise
    if users:
        names = ", ".join(sorted(str(user.get("name") or user.get("id")) for user in users))
        return _outcome(item, Status.BLOCKED, f"not deleted: used by {len(users)} {spec.used_by}(s): {names}")
    remote = spec.get(client, item.key)  # ownership is checked again just before deleting
    if remote is None:
        return _outcome(item, Status.DONE, "already deleted")
    refusal = not_ours_to_delete(remote, marker)
    if refusal:
        return _outcome(item, Status.BLOCKED, refusal)
    if dry_run:
        return _outcome(item, Status.VALIDATED, f"would be deleted (no {spec.used_by} uses it)")
    try:
        spec.delete(client, item.key)
    except ApiError as exc:
        if exc.status != 404:
            raise
    return _outcome(item, Status.DONE, "deleted", writes=1)


def _read_back(plan: Plan, outcomes: list[Outcome], client: StatsigClient) -> list[Outcome]:
    """Read each written source and metric back (one GET each, or one full list when that is cheaper)
    and compare it with what was sent."""
    checked = outcomes
    for spec in KINDS:
        kind = spec.kind
        items = {item.name: item for item in plan.items if item.kind is kind and item.payload is not None}
        written = [
            items[o.name]
            for o in checked
            if o.kind is kind and o.status is Status.DONE and o.action in (Action.CREATE, Action.UPDATE)
        ]
        if not written:
            continue
        pages = math.ceil((len([item for item in plan.items if item.kind is kind]) + 1) / client.page_size)
        remote: dict[str, Mapping[str, Any] | None]
        if len(written) > pages:
            listed = {str(found.get(spec.key_field)): found for found in spec.list_all(client)}
            remote = {item.name: listed.get(item.key) for item in written}
        else:
            remote = {item.name: spec.get(client, item.key) for item in written}
        checked = [_checked(o, items, remote, spec.diff) if o.kind is kind else o for o in checked]
    return checked


def _checked(
    outcome: Outcome,
    items: Mapping[str, PlanItem],
    remote: Mapping[str, Mapping[str, Any] | None],
    compare: Callable[[Mapping[str, Any], Mapping[str, Any]], Sequence[FieldChange]],
) -> Outcome:
    item = items.get(outcome.name)
    if outcome.name not in remote or item is None or item.payload is None:
        return outcome
    stored = remote[outcome.name]
    if stored is None:
        return replace(outcome, status=Status.DRIFTED, message="not found when read back")
    drift = tuple(compare(item.payload, stored))
    if not drift:
        return outcome
    return replace(
        outcome, status=Status.DRIFTED, message="Statsig dropped or changed " + _fields(drift), drift=drift
    )


def _fields(changes: tuple[FieldChange, ...]) -> str:
    return ", ".join(change.field for change in changes)
