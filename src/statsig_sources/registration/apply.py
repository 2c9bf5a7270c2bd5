"""Carry out a registration plan against Statsig, then read back what was written.

In an order that keeps every metric's sources in place while it exists: sources are created and
updated first, then metrics; orphaned metrics are pruned before orphaned sources, so a source whose
last metric goes in this run can go too.

Idempotent by construction: the plan is recomputed from Statsig's state, so a second apply writes
nothing and an interrupted one converges when rerun. An update sends the plan item's payload as it
is: what Statsig held merged with what is declared (merge.py). A create refused as "already exists"
(typically the retry of a create whose answer was lost with a dropped connection) is resolved by
reading the source: ours (it carries the marker) is updated if it differs, merged with what was read;
anyone else's is reported as blocked.
Metrics: metric_apply.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from statsig_sources.registration.metric_apply import carry_out_metric
from statsig_sources.registration.metric_plan import metric_diff
from statsig_sources.registration.outcomes import (
    PROBLEMS,
    ApplyResult,
    Outcome,
    Status,
    not_ours_to_delete,
)
from statsig_sources.registration.plan import Action, FieldChange, Kind, Plan, PlanItem, diff, merged_source
from statsig_sources.registration.plan_items import ownership_refusal
from statsig_sources.statsig.api import AlreadyExistsError, ApiError, StatsigClient

__all__ = ["PROBLEMS", "ApplyResult", "Outcome", "Status", "actionable", "apply_plan", "planned_writes"]


def _phase(item: PlanItem) -> int:
    pruning = item.action is Action.ORPHANED
    if item.kind is Kind.SOURCE:
        return 3 if pruning else 0
    return 2 if pruning else 1


def actionable(plan: Plan) -> tuple[PlanItem, ...]:
    """The items apply acts on, in the order it acts on them."""
    return tuple(sorted((item for item in plan.items if item.action is not Action.UNCHANGED), key=_phase))


def planned_writes(items: Sequence[PlanItem]) -> int:
    """The writes `items` take at most: one each, and a second for a metric created with an owner
    (only an update sets one)."""
    owners = [item for item in items if item.kind is Kind.METRIC and item.action is Action.CREATE]
    return len(items) + sum(1 for item in owners if item.payload is not None and "owner" in item.payload)


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
    unwritten: set[str] = set()  # sources a metric cannot be sent for
    for item in actionable(plan):
        if item.kind is Kind.METRIC:
            outcome = carry_out_metric(item, client, plan.marker, prune, dry_run, unwritten)
        else:
            outcome = _carry_out(item, client, plan.marker, prune, dry_run)
            if item.action is not Action.ORPHANED and outcome.status is not Status.DONE:
                unwritten.add(item.name)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    if not dry_run:
        outcomes = _read_back(plan, outcomes, client)
    return ApplyResult(tuple(outcomes))


def _carry_out(item: PlanItem, client: StatsigClient, marker: str, prune: bool, dry_run: bool) -> Outcome:
    done = Status.VALIDATED if dry_run else Status.DONE
    try:
        if item.action is Action.CREATE and item.payload is not None:
            return _create(item, item.payload, client, marker, dry_run)
        if item.action is Action.UPDATE and item.payload is not None:
            client.update_source(item.name, item.payload, dry_run=dry_run)
            return Outcome(item.name, item.action, done, _fields(item.changes), writes=int(not dry_run))
        if item.action is Action.ORPHANED:
            return _prune(item, client, marker, prune, dry_run)
        return Outcome(item.name, item.action, Status.BLOCKED, item.reason)
    except ApiError as exc:
        return Outcome(item.name, item.action, Status.FAILED, str(exc))


def _create(
    item: PlanItem, payload: Mapping[str, Any], client: StatsigClient, marker: str, dry_run: bool
) -> Outcome:
    try:
        client.create_source(payload, dry_run=dry_run)
        status = Status.VALIDATED if dry_run else Status.DONE
        return Outcome(item.name, item.action, status, writes=int(not dry_run))
    except AlreadyExistsError:
        remote = client.get_source(item.name)
    if remote is None:
        return Outcome(item.name, item.action, Status.FAILED, "refused as existing, yet not found on reading")
    refusal = ownership_refusal(Kind.SOURCE, item.name, remote, marker, adopt=False, take_over=False)
    if refusal:
        return Outcome(item.name, item.action, Status.BLOCKED, f"created meanwhile: {refusal}")
    body = merged_source(payload, remote)
    changes = diff(body, remote)
    if changes:
        client.update_source(item.name, body, dry_run=dry_run)
    # The create that took effect (its answer lost) was a write, and so is the update after it.
    return Outcome(
        item.name,
        item.action,
        Status.VALIDATED if dry_run else Status.DONE,
        "already existed with the marker (an earlier attempt)",
        writes=0 if dry_run else 1 + bool(changes),
    )


def _prune(item: PlanItem, client: StatsigClient, marker: str, prune: bool, dry_run: bool) -> Outcome:
    if not prune:
        return Outcome(item.name, item.action, Status.KEPT, "kept: pass --prune to delete it")
    try:
        metrics = client.list_source_metrics(item.name)
    except ApiError as exc:
        if exc.status == 404:
            return Outcome(item.name, item.action, Status.DONE, "already deleted")
        raise
    if metrics:
        used_by = ", ".join(sorted(str(metric.get("name") or metric.get("id")) for metric in metrics))
        message = f"not deleted: used by {len(metrics)} metric(s): {used_by}"
        return Outcome(item.name, item.action, Status.BLOCKED, message)
    remote = client.get_source(item.name)  # ownership is checked again just before deleting
    if remote is None:
        return Outcome(item.name, item.action, Status.DONE, "already deleted")
    refusal = not_ours_to_delete(remote, marker)
    if refusal:
        return Outcome(item.name, item.action, Status.BLOCKED, refusal)
    if dry_run:
        return Outcome(item.name, item.action, Status.VALIDATED, "would be deleted (no metric uses it)")
    try:
        client.delete_source(item.name)
    except ApiError as exc:
        if exc.status != 404:
            raise
    return Outcome(item.name, item.action, Status.DONE, "deleted", writes=1)


def _read_back(plan: Plan, outcomes: list[Outcome], client: StatsigClient) -> list[Outcome]:
    """Read each written source and metric back (one GET each, or one full list when that is cheaper)
    and compare it with what was sent."""
    checked = outcomes
    readers = (
        (Kind.SOURCE, client.get_source, client.list_sources, "name", diff),
        (Kind.METRIC, client.get_metric, client.list_metrics, "id", metric_diff),
    )
    for kind, get, list_all, key, compare in readers:
        items = {item.name: item for item in plan.items if item.kind is kind and item.payload is not None}
        written = [
            items[o.name]
            for o in checked
            if o.kind is kind and o.status is Status.DONE and o.action in (Action.CREATE, Action.UPDATE)
        ]
        if not written:
            continue
        pages = math.ceil((len([item for item in plan.items if item.kind is kind]) + 1) / client.page_size)
        if len(written) > pages:
            listed = {str(found.get(key)): found for found in list_all()}
            remote = {item.name: listed.get(item.key) for item in written}
        else:
            remote = {item.name: get(item.key) for item in written}
        checked = [_checked(o, items, remote, compare) if o.kind is kind else o for o in checked]
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
