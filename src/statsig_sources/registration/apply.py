"""Carry out a registration plan against Statsig, then read back what was written.

Idempotent by construction: the plan is recomputed from Statsig's state, so a second apply writes
nothing and an interrupted one converges when rerun. A create refused as "already exists" (typically
the retry of a create whose answer was lost with a dropped connection) is resolved by reading the
source: ours (it carries the marker) is updated if it differs; anyone else's is reported as blocked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from statsig_sources.client.api import AlreadyExistsError, ApiError, StatsigClient
from statsig_sources.core.errors import ExitCode
from statsig_sources.core.ownership import has_marker, other_markers
from statsig_sources.registration.plan import Action, FieldChange, Plan, PlanItem, diff


class Status(str, Enum):
    DONE = "done"
    VALIDATED = "validated"  # dry run: Statsig checked it and persisted nothing
    KEPT = "kept"  # an orphan left in place (no --prune)
    BLOCKED = "blocked"
    FAILED = "failed"
    DRIFTED = "drifted"  # written, but Statsig's copy differs from what we sent


PROBLEMS = frozenset({Status.BLOCKED, Status.FAILED, Status.DRIFTED})


@dataclass(frozen=True)
class Outcome:
    name: str
    action: Action
    status: Status
    message: str = ""
    drift: tuple[FieldChange, ...] = ()
    writes: int = 0  # requests that changed Statsig on this item's behalf


@dataclass(frozen=True)
class ApplyResult:
    outcomes: tuple[Outcome, ...]

    @property
    def writes(self) -> int:
        return sum(outcome.writes for outcome in self.outcomes)

    @property
    def exit_code(self) -> ExitCode:
        problem = any(outcome.status in PROBLEMS for outcome in self.outcomes)
        return ExitCode.FINDINGS if problem else ExitCode.OK


def actionable(plan: Plan) -> tuple[PlanItem, ...]:
    return tuple(item for item in plan.items if item.action is not Action.UNCHANGED)


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
    for item in actionable(plan):
        outcome = _carry_out(item, client, plan.marker, prune, dry_run)
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
    if not has_marker(remote, marker):
        message = f"created meanwhile without the marker {marker!r}; pass --adopt {item.name!r} to manage it"
        return Outcome(item.name, item.action, Status.BLOCKED, message)
    changes = diff(payload, remote)
    if changes:
        client.update_source(item.name, payload, dry_run=dry_run)
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
    refusal = _not_ours_to_delete(remote, marker)
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


def _not_ours_to_delete(remote: Mapping[str, Any], marker: str) -> str:
    """Why a source read just before its delete must be kept."""
    if not has_marker(remote, marker):
        return f"not deleted: it no longer carries the marker {marker!r}"
    others = other_markers(remote, marker)
    if others:
        return (
            f"not deleted: it also carries {', '.join(others)}, so its owner is unclear; remove the "
            "marker that does not name its owner"
        )
    return ""


def _read_back(plan: Plan, outcomes: list[Outcome], client: StatsigClient) -> list[Outcome]:
    """Read each written source back (one GET each, or one full list when that is cheaper)."""
    payloads = {item.name: item.payload for item in plan.items if item.payload is not None}
    written = [
        o.name for o in outcomes if o.status is Status.DONE and o.action in (Action.CREATE, Action.UPDATE)
    ]
    if not written:
        return outcomes
    pages = math.ceil((len(plan.items) + 1) / client.page_size)
    if len(written) > pages:
        listed = {str(source.get("name")): source for source in client.list_sources()}
        remote: dict[str, Mapping[str, Any] | None] = {name: listed.get(name) for name in written}
    else:
        remote = {name: client.get_source(name) for name in written}
    checked = []
    for outcome in outcomes:
        payload = payloads.get(outcome.name)
        if outcome.name not in remote or payload is None:
            checked.append(outcome)
            continue
        stored = remote[outcome.name]
        if stored is None:
            checked.append(replace(outcome, status=Status.DRIFTED, message="not found when read back"))
            continue
        drift = diff(payload, stored)
        if drift:
            message = "Statsig dropped or changed " + _fields(drift)
            checked.append(replace(outcome, status=Status.DRIFTED, message=message, drift=drift))
        else:
            checked.append(outcome)
    return checked


def _fields(changes: tuple[FieldChange, ...]) -> str:
    return ", ".join(change.field for change in changes)
