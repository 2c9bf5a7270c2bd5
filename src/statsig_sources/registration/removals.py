"""Removals are breaking changes: a source dbt no longer declares (its model deleted, or its
`source_name` changed) while Statsig metrics read it is blocked, unless forced.

Each such source's plan item names every metric that reads it (`Reader`) and the running experiments
that use each. A metric made in Statsig (without this project's marker) breaks when its source goes,
and so the removal is blocked. A metric declared in dbt that leaves with its source (it carries the
marker and dbt no longer declares it) breaks nothing of its own, unless a running experiment still uses
it. A metric dbt still declares is judged as declared: it reads only declared sources (validate's
`metric_sources` rule), so it never reads a removed one.

`--force` lets the removal through: the item stays orphaned (kept in Statsig, deleted only by
`apply --prune` when no metric uses it) and its reason says what was forced. The running experiments
are read only when a removed source has a reader.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from statsig_sources.declaration.ownership import has_marker
from statsig_sources.registration.plan_items import Action, Kind, Plan, PlanItem, Reader, RunningExperiment
from statsig_sources.usage.experiments import experiments_using
from statsig_sources.usage.join import Metric, parse_metric

RETIRE = (
    "retire those metrics first (docs/registration.md#removing-or-renaming-a-source), or pass --force to "
    "remove it from dbt anyway"
)


def guard_removals(
    plan: Plan,
    metrics: Iterable[Mapping[str, Any]],
    fetch_experiments: Callable[[], Sequence[Mapping[str, Any]]],
    *,
    declared: Collection[str],
    force: bool = False,
) -> Plan:
    """The plan with each removed source's readers named, and the removals that break one blocked.
    `declared`: the ids of the metrics dbt declares."""
    removed = {item.name for item in plan.of(Action.ORPHANED, Kind.SOURCE)}
    readers = _readers(metrics, removed, plan.marker, declared) if removed else {}
    if not readers:
        return plan
    experiments = fetch_experiments()
    items = tuple(
        _assess(item, readers[item.name], experiments, force)
        if item.kind is Kind.SOURCE and item.action is Action.ORPHANED and item.name in readers
        else item
        for item in plan.items
    )
    return replace(plan, items=items)


def _readers(
    metrics: Iterable[Mapping[str, Any]], removed: set[str], marker: str, declared: Collection[str]
) -> dict[str, list[tuple[Metric, bool]]]:
    """Removed source -> the metrics that read it, each with whether it leaves dbt with it."""
    found: dict[str, list[tuple[Metric, bool]]] = {}
    for raw in metrics:
        metric = parse_metric(raw)
        if metric is None or metric.id in declared:
            continue
        for ref in metric.refs:
            if ref.source in removed:
                found.setdefault(ref.source, []).append((metric, has_marker(raw, marker)))
    return found


def _assess(
    item: PlanItem, readers: list[tuple[Metric, bool]], experiments: Sequence[Mapping[str, Any]], force: bool
) -> PlanItem:
    found = tuple(
        Reader(metric.id, metric.name, leaving, _running(metric, experiments))
        for metric, leaving in sorted(readers, key=lambda pair: pair[0].id)
    )
    breaking = "; ".join(describe(reader) for reader in found if reader.breaks)
    if not breaking:
        return replace(item, readers=found)
    if force:
        return replace(
            item, readers=found, reason=f"{item.reason}; forced: Statsig metrics read it: {breaking}"
        )
    reason = f"removed from dbt while Statsig metrics read it: {breaking}; {RETIRE}"
    return replace(item, action=Action.BLOCKED, readers=found, reason=reason)


def _running(metric: Metric, experiments: Sequence[Mapping[str, Any]]) -> tuple[RunningExperiment, ...]:
    return tuple(
        RunningExperiment(str(experiment.get("id")), str(experiment.get("name") or ""))
        for experiment in experiments_using(metric, experiments)
    )


def describe(reader: Reader) -> str:
    """`metric Revenue (Revenue::user_warehouse), used by running experiment Checkout (checkout)`."""
    text = f"metric {_named(reader.metric_id, reader.metric_name)}"
    if reader.leaving:
        text += ", declared in dbt and leaving with it"
    if reader.experiments:
        plural = "s" if len(reader.experiments) > 1 else ""
        named = ", ".join(_named(experiment.id, experiment.name) for experiment in reader.experiments)
        text += f", used by running experiment{plural} {named}"
    return text


def _named(identifier: str, name: str) -> str:
    """A name with its id, or the id alone when Statsig gives no other name."""
    return f"{name} ({identifier})" if name and name != identifier else identifier
