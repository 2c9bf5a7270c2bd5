"""Carry out the metric items of a plan (apply.py orders them: after the sources they read are written,
before the sources they read are pruned).

A create sends `MetricCreationContractDto`'s fields; an owner, which only an update sets, follows in an
update. An update sends the plan item's payload as it is: what Statsig held merged with what is
declared (merge.py). A create refused as "already exists" (the retry of one whose answer was lost)
reads the metric: ours is updated if it differs (merged with what was read), anyone else's is
blocked. A metric whose source could not be written in this run is not sent. Pruning deletes a metric
of ours only when no experiment uses it, after reading it again to check the marker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statsig_sources.registration.metric_payloads import create_body
from statsig_sources.registration.metric_plan import merged_metric, metric_diff
from statsig_sources.registration.outcomes import Outcome, Status, not_ours_to_delete
from statsig_sources.registration.plan_items import Action, Kind, PlanItem, ownership_refusal
from statsig_sources.statsig.api import AlreadyExistsError, ApiError, StatsigClient


def carry_out_metric(
    item: PlanItem, client: StatsigClient, marker: str, prune: bool, dry_run: bool, unwritten: set[str]
) -> Outcome:
    """`unwritten`: sources this run could not create or update (or, in a dry run, only validated)."""
    missing = [source for source in item.reads if source in unwritten]
    if item.action in (Action.CREATE, Action.UPDATE) and missing:
        why = "only validated in a dry run" if dry_run else "not written"
        message = f"not sent: its source {', '.join(f'`{name}`' for name in missing)} was {why}"
        return _outcome(item, Status.SKIPPED if dry_run else Status.FAILED, message)
    try:
        if item.action is Action.CREATE and item.payload is not None:
            return _create(item, item.payload, client, marker, dry_run)
        if item.action is Action.UPDATE and item.payload is not None:
            client.update_metric(item.id, dict(item.payload), dry_run=dry_run)
            fields = ", ".join(change.field for change in item.changes)
            return _outcome(item, Status.VALIDATED if dry_run else Status.DONE, fields, int(not dry_run))
        if item.action is Action.ORPHANED:
            return _prune(item, client, marker, prune, dry_run)
        return _outcome(item, Status.BLOCKED, item.reason)
    except ApiError as exc:
        return _outcome(item, Status.FAILED, str(exc))


def _outcome(item: PlanItem, status: Status, message: str = "", writes: int = 0) -> Outcome:
    return Outcome(item.name, item.action, status, message, writes=writes, kind=item.kind)


def _create(
    item: PlanItem, payload: Mapping[str, Any], client: StatsigClient, marker: str, dry_run: bool
) -> Outcome:
    try:
        client.create_metric(create_body(dict(payload)), dry_run=dry_run)
    except AlreadyExistsError:
        return _existing(item, payload, client, marker, dry_run)
    if dry_run:
        return _outcome(item, Status.VALIDATED)
    owner = payload.get("owner")
    if owner is not None:
        client.update_metric(item.id, {"owner": owner})
    return _outcome(item, Status.DONE, writes=1 + (owner is not None))


def _existing(
    item: PlanItem, payload: Mapping[str, Any], client: StatsigClient, marker: str, dry_run: bool
) -> Outcome:
    remote = client.get_metric(item.id)
    if remote is None:
        return _outcome(item, Status.FAILED, "refused as existing, yet not found on reading")
    refusal = ownership_refusal(Kind.METRIC, item.name, remote, marker, adopt=False, take_over=False)
    if refusal:
        return _outcome(item, Status.BLOCKED, f"created meanwhile: {refusal}")
    body = merged_metric(payload, remote)
    changes = metric_diff(body, remote)
    if changes:
        client.update_metric(item.id, body, dry_run=dry_run)
    status = Status.VALIDATED if dry_run else Status.DONE
    # The create that took effect (its answer lost) was a write, and so is the update after it.
    writes = 0 if dry_run else 1 + bool(changes)
    return _outcome(item, status, "already existed with the marker (an earlier attempt)", writes)


def _prune(item: PlanItem, client: StatsigClient, marker: str, prune: bool, dry_run: bool) -> Outcome:
    if not prune:
        return _outcome(item, Status.KEPT, "kept: pass --prune to delete it")
    try:
        experiments = client.list_metric_experiments(item.id)
    except ApiError as exc:
        if exc.status == 404:
            return _outcome(item, Status.DONE, "already deleted")
        raise
    if experiments:
        names = ", ".join(sorted(str(e.get("name") or e.get("id")) for e in experiments))
        return _outcome(
            item, Status.BLOCKED, f"not deleted: used by {len(experiments)} experiment(s): {names}"
        )
    remote = client.get_metric(item.id)  # ownership is checked again just before deleting
    if remote is None:
        return _outcome(item, Status.DONE, "already deleted")
    refusal = not_ours_to_delete(remote, marker)
    if refusal:
        return _outcome(item, Status.BLOCKED, refusal)
    if dry_run:
        return _outcome(item, Status.VALIDATED, "would be deleted (no experiment uses it)")
    try:
        client.delete_metric(item.id)
    except ApiError as exc:
        if exc.status != 404:
            raise
    return _outcome(item, Status.DONE, "deleted", writes=1)
