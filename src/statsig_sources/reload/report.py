"""Renderers for a reload: lines for terminals and CI logs, JSON for tools, markdown for a job summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from statsig_sources.reload.changes import FAILED, MISSING, UPSTREAM, Changes, SourceChange
from statsig_sources.reload.plan import ExperimentReload, Outcome, Reload
from statsig_sources.reload.targets import AffectedMetric
from statsig_sources.rules.build_rules import error_summary
from statsig_sources.support.output import markdown_cell, to_json

LISTED_METRICS = 10  # text names this many metrics, then counts the rest
WORDS = {outcome: outcome.value.replace("_", " ") for outcome in Outcome}
NO_SOURCE = (
    "which no metric source of the manifest builds (a source renamed or removed since Statsig registered it)"
)


def _node(node_id: str) -> str:
    """`model.shop.fct_orders` as `fct_orders`."""
    return ".".join(node_id.split(".")[2:]) or node_id


def _source_label(change: SourceChange) -> str:
    upstream = f", {_status(change)}" if change.reason == UPSTREAM else ""
    return f"{change.name} ({change.model}{upstream})"


def _build_problem(change: SourceChange) -> str:
    if change.reason == MISSING:
        restore = f": `{change.message}` rebuilds it" if change.message else ""
        return f"the run left its view {change.relation} missing{restore}"
    what = "failed" if change.reason == FAILED else "was skipped"
    detail = error_summary(change.message)
    return f"its build {what}" + (f": {detail}" if detail else "")


def _status(change: SourceChange) -> str:
    """`built`, `selected`, or `upstream rebuilt: fct_orders`."""
    if change.reason != UPSTREAM:
        return change.reason
    return f"upstream rebuilt: {', '.join(map(_node, change.upstream))}"


def _not_built(change: SourceChange) -> str:
    return f"{change.name} ({change.model}): {_build_problem(change)}"


def _some(names: Sequence[str]) -> str:
    shown = ", ".join(names[:LISTED_METRICS])
    return shown + (f" and {len(names) - LISTED_METRICS} more" if len(names) > LISTED_METRICS else "")


def run_line(changes: Changes) -> str:
    results = changes.results
    if results is None or changes.finished is None:
        return "Sources selected with --select; no run results read."
    when = changes.finished.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"Run: `{results.command}`, finished {when} ({results.path})."


def outcome_line(item: ExperimentReload) -> str:
    """`requested: checkout_test (refresh=metric: Revenue::user_warehouse)`, or the outcome's message."""
    head = f"{WORDS[item.outcome]}: {item.target.experiment_id}"
    if item.outcome in (Outcome.REQUESTED, Outcome.WOULD_REQUEST):
        ids = item.sent_metric_ids
        return f"{head} (refresh={item.refresh}" + (f": {', '.join(ids)})" if ids else ")")
    return f"{head}: {item.message}"


def header_lines(plan: Reload) -> list[str]:
    """What changed, what reads it and what is planned, before any load is requested."""
    changes = plan.changes
    lines = [run_line(changes)]
    if changes.changed:
        labels = ", ".join(map(_source_label, changes.changed))
        lines.append(f"Changed: {len(changes.changed)} metric source(s): {labels}.")
    else:
        lines.append("Changed: no metric source, so there is nothing to reload.")
    lines += [f"Not reloaded: {_not_built(change)}." for change in changes.not_built]
    lines += [f"Missing after the run: {relation}, {NO_SOURCE}." for relation in changes.missing_elsewhere]
    if not changes.changed:
        return lines
    ids = [affected.metric.id for affected in plan.metrics]
    lines.append(f"Metrics: {len(ids)} read them" + (f": {_some(ids)}." if ids else "."))
    lines.append(f"Refresh: {plan.refresh.mode} ({plan.refresh.reason}).")
    counts = counts_of(plan)
    refused = planned_refusals(plan)
    lines.append(
        f"Experiments: {len(plan.experiments)} running use them: {counts['would_request']} to request, "
        f"{counts['already_loaded']} already loaded, {counts['skipped']} skipped"
        + (f", {len(refused)} refused." if refused else ".")
    )
    decided = plan.of(Outcome.ALREADY_LOADED) + plan.of(Outcome.SKIPPED) + refused
    lines += [outcome_line(item) for item in decided]
    return lines


def planned_refusals(plan: Reload) -> tuple[ExperimentReload, ...]:
    """Experiments refused before any load was asked for (on their load history)."""
    return tuple(item for item in plan.of(Outcome.REFUSED) if not item.attempted)


def load_lines(plan: Reload) -> list[str]:
    """A line per load requested, planned or refused: what the header did not already say."""
    listed = (Outcome.WOULD_REQUEST, Outcome.REQUESTED)
    return [
        outcome_line(item)
        for item in plan.experiments
        if item.outcome in listed or (item.outcome is Outcome.REFUSED and item.attempted)
    ]


def counts_of(plan: Reload) -> dict[str, int]:
    return {outcome.value: len(plan.of(outcome)) for outcome in Outcome}


def summary_line(plan: Reload) -> str:
    counts = counts_of(plan)
    if plan.dry_run:
        return (
            f"Dry run: {counts['would_request']} load(s) would be requested, {counts['already_loaded']} "
            f"already loaded, {counts['skipped']} skipped; nothing was sent to Statsig."
        )
    return (
        f"Reload: {counts['requested']} requested, {counts['already_loaded']} already loaded, "
        f"{counts['refused']} refused, {counts['skipped']} skipped."
    )


def render_text(plan: Reload) -> str:
    lines = [*header_lines(plan), *load_lines(plan)]
    return "\n".join([*lines, summary_line(plan)]) + "\n"


def _metric_json(affected: AffectedMetric) -> dict[str, Any]:
    metric = affected.metric
    return {"id": metric.id, "name": metric.name, "hidden": metric.hidden, "sources": list(affected.sources)}


def _source_json(change: SourceChange) -> dict[str, Any]:
    found: dict[str, Any] = {"name": change.name, "model": change.model, "node_id": change.node_id}
    found.update(status=change.reason, reloaded=change.changed)
    if change.reason == UPSTREAM:
        found["upstream"] = list(change.upstream)
    if change.reason == MISSING:
        found.update(relation=change.relation, restore=change.message)
    elif not change.changed:
        found["message"] = error_summary(change.message)
    return found


def _experiment_json(item: ExperimentReload) -> dict[str, Any]:
    target = item.target
    return {
        "id": target.experiment_id,
        "name": target.name,
        "outcome": item.outcome.value,
        "refresh": item.refresh,
        "metric_ids": list(target.metric_ids),
        "requested_metric_ids": list(item.sent_metric_ids),
        "held_back_metric_ids": list(target.held_back),
        "message": item.message,
    }


def reload_json(plan: Reload) -> dict[str, Any]:
    results, finished = plan.changes.results, plan.changes.finished
    run = None
    if results is not None and finished is not None:
        run = {
            "run_results": str(results.path),
            "command": results.command,
            "finished": finished.isoformat(),
            "full_refresh": results.full_refresh,
            "missing_views": list(results.missing.relations),
            "missing_elsewhere": list(plan.changes.missing_elsewhere),
        }
    return {
        "dry_run": plan.dry_run,
        "run": run,
        "refresh": {"mode": plan.refresh.mode, "reason": plan.refresh.reason},
        "sources": [_source_json(change) for change in plan.changes.sources],
        "metrics": [_metric_json(affected) for affected in plan.metrics],
        "held_back_metrics": [_metric_json(affected) for affected in plan.held_back],
        "experiments": [_experiment_json(item) for item in plan.experiments],
        "summary": counts_of(plan),
    }


def render_json(plan: Reload) -> str:
    return to_json(reload_json(plan)) + "\n"


def render_markdown(plan: Reload) -> str:
    lines = ["### Statsig result loads", "", markdown_cell(run_line(plan.changes)), ""]
    lines += ["| source | model | status |", "|---|---|---|"]
    for change in plan.changes.sources:
        status = _status(change) if change.changed else f"not reloaded: {_build_problem(change)}"
        cells = [f"`{change.name}`", f"`{change.model}`", status]
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    for relation in plan.changes.missing_elsewhere:
        lines.append(f"| - | - | {markdown_cell(f'missing after the run: {relation}, {NO_SOURCE}')} |")
    if plan.experiments:
        lines += ["", "| experiment | outcome | refresh | metrics | message |", "|---|---|---|---|---|"]
        for item in plan.experiments:
            ids = ", ".join(f"`{metric_id}`" for metric_id in item.target.metric_ids)
            cells = [f"`{item.target.experiment_id}`", WORDS[item.outcome], item.refresh, ids, item.message]
            lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    lines += ["", markdown_cell(summary_line(plan))]
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
