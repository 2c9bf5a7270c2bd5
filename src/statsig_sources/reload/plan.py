"""The reload: which experiments to load, how, and what Statsig answered.

Reads, in order, only what the decision needs: every metric (one paginated pass, hidden ones
included) when a source changed; the running experiments (one paginated pass) when a metric reads a
changed source; then, per experiment that uses one, its load history (idempotence, history.py) and
at most one `load_pulse`. Mutations go through the client's throttle, retries and deadlines, but a
load is never sent twice blindly: when its answer is lost (a timeout, a dropped connection, a 5xx), the
experiment's history is read again, and a load it did not list before sending counts as this one. A
refusal (4xx), or a history that is not what Statsig documents, is that experiment's outcome and the
others go on; anything else stops the command.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from statsig_sources.project import Project
from statsig_sources.reload.changes import MISSING, Changes
from statsig_sources.reload.history import describe, load_since, new_loads, unreadable
from statsig_sources.reload.targets import AffectedMetric, Target, experiment_targets, metrics_reading
from statsig_sources.statsig.api import ApiError, MalformedAnswer, StatsigClient
from statsig_sources.support.errors import ExitCode
from statsig_sources.usage.join import build_usage, managed_sources

METRIC = "metric"  # load only the metrics named, the default


class Outcome(str, Enum):
    REQUESTED = "requested"
    WOULD_REQUEST = "would_request"  # planned: the dry run's outcome, and every request's before it is sent
    ALREADY_LOADED = "already_loaded"
    REFUSED = "refused"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Refresh:
    mode: str  # metric, full or incremental
    reason: str


@dataclass(frozen=True)
class ExperimentReload:
    target: Target
    refresh: str
    outcome: Outcome
    message: str = ""
    history: tuple[Mapping[str, Any], ...] | None = None  # its load history when planned (if read)
    attempted: bool = False  # its load was asked for (or was about to be): its outcome is the load's

    @property
    def sent_metric_ids(self) -> tuple[str, ...]:
        """The metric ids a load names: only a metric refresh names them."""
        return self.target.metric_ids if self.refresh == METRIC else ()


@dataclass(frozen=True)
class Reload:
    changes: Changes
    refresh: Refresh
    metrics: tuple[AffectedMetric, ...] = ()  # the metrics that read a changed source, by id
    held_back: tuple[AffectedMetric, ...] = ()  # metrics that read only sources not built, by id
    experiments: tuple[ExperimentReload, ...] = ()  # by id
    dry_run: bool = False

    def of(self, outcome: Outcome) -> tuple[ExperimentReload, ...]:
        return tuple(item for item in self.experiments if item.outcome is outcome)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.FINDINGS if self.of(Outcome.REFUSED) else ExitCode.OK


def refresh_for(forced: str | None, changes: Changes) -> Refresh:
    """`--refresh` when given; a full refresh after `dbt build --full-refresh`; else only the metrics."""
    if forced is not None:
        return Refresh(forced, f"--refresh {forced}")
    results = changes.results
    if results is not None and results.full_refresh:
        return Refresh("full", f"`{results.command}` rebuilt with --full-refresh")
    what = "selected" if results is None else "rebuilt"
    return Refresh(METRIC, f"only the metrics that read the {what} sources")


def plan_reload(
    project: Project, changes: Changes, client: StatsigClient, refresh: Refresh, *, dry_run: bool = False
) -> Reload:
    """Every experiment to reload, already loaded or skipped; nothing is written."""
    plan = Reload(changes, refresh, dry_run=dry_run)
    if not changes.changed:
        return plan
    usage = build_usage(managed_sources(project), client.list_metrics())
    affected = metrics_reading(usage, {source.name for source in changes.changed})
    not_built = metrics_reading(usage, {source.name for source in changes.not_built})
    held_back = {metric_id: metric for metric_id, metric in not_built.items() if metric_id not in affected}
    plan = replace(plan, metrics=tuple(affected.values()), held_back=tuple(held_back.values()))
    if not affected:
        return plan
    targets = experiment_targets(client.list_experiments(), affected, held_back)
    decided = tuple(_decide(target, plan, held_back, client) for target in targets)
    return replace(plan, experiments=decided)


def _decide(
    target: Target, plan: Reload, held_back: Mapping[str, AffectedMetric], client: StatsigClient
) -> ExperimentReload:
    mode = plan.refresh.mode
    sources = {name for metric_id in target.held_back for name in held_back[metric_id].sources}
    missing = {change.name for change in plan.changes.not_built if change.reason == MISSING}
    if not target.metric_ids:
        what = (
            "whose view the run left missing"
            if missing.issuperset(sources)
            else "whose build failed or was skipped"
            if missing.isdisjoint(sources)
            else "whose build failed, was skipped or left their view missing"
        )
        why = f"its metrics read only sources {what} ({', '.join(sorted(sources))})"
        return ExperimentReload(target, mode, Outcome.SKIPPED, why)
    if not missing.isdisjoint(sources):
        # A full or incremental load reads every metric, so it would read the missing view too (and
        # fail): only the metrics on the other sources are loaded.
        mode = METRIC
    finished = plan.changes.finished
    if finished is not None:
        try:
            history = tuple(client.pulse_load_history(target.experiment_id))
        except (ApiError, MalformedAnswer) as refusal:  # an experiment deleted since it was listed, say
            return ExperimentReload(target, mode, Outcome.REFUSED, str(refusal))
        problem = unreadable(history)
        if problem:
            why = f"its load history cannot be read ({problem}), so a load since the run cannot be ruled out"
            return ExperimentReload(target, mode, Outcome.REFUSED, f"not requested: {why}", history)
        done = load_since(history, finished)
        if done is not None:
            message = f"Statsig has {describe(done)}, after the run finished"
            return ExperimentReload(target, mode, Outcome.ALREADY_LOADED, message, history)
        return ExperimentReload(target, mode, Outcome.WOULD_REQUEST, history=history)
    return ExperimentReload(target, mode, Outcome.WOULD_REQUEST)


def carry_out(
    plan: Reload, client: StatsigClient, on_outcome: Callable[[ExperimentReload], None] | None = None
) -> Reload:
    """Send every planned load (none in a dry run); a refusal is recorded and the others go on."""
    if plan.dry_run:
        return plan
    done = []
    for item in plan.experiments:
        if item.outcome is Outcome.WOULD_REQUEST:
            item = _request(item, client)
            if on_outcome is not None:
                on_outcome(item)
        done.append(item)
    return replace(plan, experiments=tuple(done))


def _request(item: ExperimentReload, client: StatsigClient) -> ExperimentReload:
    """One load; when its answer is lost, what the history shows since `item.history` (read now when
    the plan did not read it) decides whether it is sent again."""
    experiment_id = item.target.experiment_id
    try:
        before = item.history if item.history is not None else tuple(client.pulse_load_history(experiment_id))

        def recorded() -> str | None:
            found = new_loads(client.pulse_load_history(experiment_id), before)
            return f"its answer was lost; Statsig's history records {describe(found[0])}" if found else None

        answer = client.load_pulse(experiment_id, item.refresh, item.sent_metric_ids, recorded=recorded)
    except (ApiError, MalformedAnswer) as refusal:
        return replace(item, outcome=Outcome.REFUSED, message=str(refusal), attempted=True)
    return replace(item, outcome=Outcome.REQUESTED, message=answer, attempted=True)
