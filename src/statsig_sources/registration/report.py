"""Renderers for a registration plan: text for terminals, JSON for tools, markdown for a PR comment."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from typing import Any

from statsig_sources.registration.files import RenderDiff
from statsig_sources.registration.plan_items import Action, FieldChange, Kind, Plan, PlanItem, Reader
from statsig_sources.rules.report import violation_dict, violation_line, violation_table
from statsig_sources.rules.violations import Violation
from statsig_sources.support.output import markdown_cell, to_json

SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.UNCHANGED: "=",
    Action.ORPHANED: "-",
    Action.BLOCKED: "!",
}
LISTED = (Action.CREATE, Action.UPDATE, Action.ORPHANED, Action.BLOCKED)


NOUNS = {Kind.SOURCE: ("Statsig metric sources", "source"), Kind.METRIC: ("Statsig metrics", "metric")}
PRUNING = {
    Kind.SOURCE: "Orphaned sources are kept; `apply --prune` deletes those no metric uses.",
    Kind.METRIC: "Orphaned metrics are kept; `apply --prune` deletes those no experiment uses.",
}


def summary(plan: Plan, kind: Kind = Kind.SOURCE) -> str:
    counts = plan.counts(kind)
    return (
        f"{counts['create']} to create, {counts['update']} to update, {counts['unchanged']} unchanged, "
        f"{counts['orphaned']} orphaned, {counts['blocked']} blocked"
    )


def kinds(plan: Plan) -> list[Kind]:
    """What a report covers: the sources always, the metrics when there are any."""
    return [Kind.SOURCE, *([Kind.METRIC] if plan.has(Kind.METRIC) else [])]


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def listed_items(plan: Plan, kind: Kind = Kind.SOURCE) -> list[PlanItem]:
    """The items of one kind a report lists: blocked ones first (they fail CI), then in plan order."""
    listed = [item for item in plan.items if item.action in LISTED and item.kind is kind]
    return sorted(listed, key=lambda item: item.action is not Action.BLOCKED)


def change_lines(change: FieldChange, sides: tuple[str, str] = ("Statsig", "dbt")) -> list[str]:
    """A changed field as `field: before -> after`, or, when the new value is SQL or spans lines, as a
    unified diff from Statsig's value to dbt's (every line shown: a source's SQL is short). `sides`
    names the before and after of the diff."""
    before, after = change.before, change.after
    if not (isinstance(after, str) and (change.field == "sql" or "\n" in after)):
        return [f"{change.field}: {_value(before)} -> {_value(after)}"]
    old, new = (before if isinstance(before, str) else "").splitlines(), after.splitlines()
    context = max(len(old), len(new))
    start, end = (f"{change.field} ({side})" for side in sides)
    return list(difflib.unified_diff(old, new, start, end, lineterm="", n=context))


def render_text(plan: Plan) -> str:
    lines = []
    for kind in kinds(plan):
        lines.append(f"{NOUNS[kind][0]} (marker {plan.marker}): {summary(plan, kind)}.")
        for item in listed_items(plan, kind):
            label = item.action.value + _adoption(item)
            lines.append(f"{SYMBOLS[item.action]} {label} {item.name}")
            if item.action is not Action.CREATE:
                lines += [f"    {line}" for change in item.changes for line in change_lines(change)]
            if item.reason:
                lines.append(f"    {item.reason}")
            if item.affected_metrics:
                lines.append(f"    affects metrics: {', '.join(item.affected_metrics)}")
        if plan.of(Action.ORPHANED, kind):
            lines.append(PRUNING[kind])
    return "\n".join(lines) + "\n"


def _adoption(item: PlanItem) -> str:
    """` (take over)` for an object another project marks, ` (adopt)` for an unmarked one."""
    if item.taken_over_from:
        return " (take over)"
    return " (adopt)" if item.adopted else ""


def _change_json(change: FieldChange) -> dict[str, Any]:
    return {"field": change.field, "before": change.before, "after": change.after}


def _item_json(item: PlanItem) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "action": item.action.value,
        "name": item.name,
        "id": item.key,
        "adopted": item.adopted,
        "taken_over_from": list(item.taken_over_from),
        "changes": [_change_json(change) for change in item.changes],
        "reason": item.reason,
        "affected_metrics": list(item.affected_metrics),
        "readers": [_reader_json(reader) for reader in item.readers],
        "payload": dict(item.payload) if item.payload is not None else None,
    }


def _reader_json(reader: Reader) -> dict[str, Any]:
    return {
        "metric_id": reader.metric_id,
        "metric_name": reader.metric_name,
        "leaving": reader.leaving,
        "breaks": reader.breaks,
        "experiments": [{"id": found.id, "name": found.name} for found in reader.experiments],
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "marker": plan.marker,
        "summary": plan.counts(Kind.SOURCE),
        "metric_summary": plan.counts(Kind.METRIC),
        "has_changes": plan.has_changes,
        "items": [_item_json(item) for item in plan.items],
    }


def render_json(plan: Plan) -> str:
    return to_json(plan_json(plan), sort_keys=True) + "\n"


def render_markdown(plan: Plan, read: str = "") -> str:
    """A pull-request comment; `read` names the manifest the plan comes from."""
    lines = ["### Statsig metric sources plan", "", *([read, ""] if read else [])]
    lines += [f"Marker `{plan.marker}`: {summary(plan)}.", ""]
    if plan.has(Kind.METRIC):
        lines += [f"Metrics: {summary(plan, Kind.METRIC)}.", ""]
    listed = [item for kind in kinds(plan) for item in listed_items(plan, kind)]
    if not listed:
        return "\n".join([*lines, "No changes."]) + "\n"
    blocked = plan.of(Action.BLOCKED)
    if blocked:
        lines += [blocked_line(blocked), ""]
    tables = [_markdown_table(listed_items(plan, kind), NOUNS[kind][1]) for kind in kinds(plan)]
    lines += [line for table in tables if table for line in [*table, ""]][:-1]
    for item in listed:
        if item.action in (Action.UPDATE, Action.BLOCKED) and item.changes:
            lines += ["", f"<details><summary>{markdown_cell(item.name)}</summary>", "", "```diff"]
            lines += [line for change in item.changes for line in _markdown_change(change)]
            lines += ["```", "", "</details>"]
    return "\n".join(lines) + "\n"


def blocked_lines(blocked: Sequence[PlanItem]) -> list[str]:
    """`blocked: statsig_orders: <why>` for each item, as `apply` reports one (a metric named as one)."""
    return [
        f"blocked: {'metric ' if item.kind is Kind.METRIC else ''}{item.name}: {item.reason}"
        for item in blocked
    ]


def blocked_line(blocked: Sequence[PlanItem]) -> str:
    """`**Blocked: source `orders`.** ...`: what is blocked, what `apply` does with it, and that CI fails."""
    names = ", ".join(f"{item.kind.value} `{markdown_cell(item.name)}`" for item in blocked)
    it = "it" if len(blocked) == 1 else "them"
    return (
        f"**Blocked: {names}.** `apply` leaves {it} as Statsig holds {it} and exits 1, so this plan fails CI."
    )


def _markdown_table(items: list[PlanItem], noun: str) -> list[str]:
    if not items:
        return []
    lines = [f"| | action | {noun} | detail |", "|---|---|---|---|"]
    for item in items:
        detail = (
            ", ".join(f"`{change.field}`" for change in item.changes) if item.action is Action.UPDATE else ""
        )
        detail = markdown_cell("; ".join(part for part in (detail, item.reason) if part))
        if item.affected_metrics:
            detail += "; affects metrics: " + markdown_cell(", ".join(item.affected_metrics))
        action = item.action.value + _adoption(item)
        lines.append(f"| {SYMBOLS[item.action]} | {action} | `{markdown_cell(item.name)}` | {detail} |")
    return lines


def _markdown_change(change: FieldChange) -> list[str]:
    lines = change_lines(change)
    if lines[0].startswith("---"):
        return lines
    return [f"- {change.field}: {_value(change.before)}", f"+ {change.field}: {_value(change.after)}"]


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}


def render_report(
    fmt: str, *, check: bool, output_dir: str, diff: RenderDiff, violations: Sequence[Violation]
) -> str:
    """What render did (or, with --check, what is out of date)."""
    ok = diff.clean or not check
    if fmt == "json":
        return to_json(
            {
                "command": "render",
                "check": check,
                "ok": ok,
                "output_dir": output_dir,
                "missing": list(diff.missing),
                "stale": list(diff.stale),
                "orphaned": list(diff.orphaned),
                "unchanged": list(diff.unchanged),
                "violations": [violation_dict(violation) for violation in violations],
            }
        )
    lines = [f"{kind}: {output_dir}/{name}" for kind, names in _changes(check, diff) for name in names]
    if fmt == "markdown":
        changes = [f"- {line}" for line in lines]
        summary_line = _render_summary(check, output_dir, diff)
        lines = ["## statsig-sources render", "", summary_line, *([""] + changes if changes else [])]
        lines += violation_table(violations)
    else:
        lines = [*(violation_line(violation) for violation in violations), *lines]
        lines.append(_render_summary(check, output_dir, diff))
    return "\n".join(lines)


def _changes(check: bool, diff: RenderDiff) -> list[tuple[str, tuple[str, ...]]]:
    if check:
        return [("missing", diff.missing), ("stale", diff.stale), ("orphaned", diff.orphaned)]
    return [("wrote", diff.missing + diff.stale), ("removed", diff.orphaned)]


def _render_summary(check: bool, output_dir: str, diff: RenderDiff) -> str:
    total = len(diff.missing) + len(diff.stale) + len(diff.unchanged)
    if check and not diff.clean:
        return f"{output_dir}/ is out of date: run `statsig-sources render` and commit the result."
    if check:
        return f"{output_dir}/ is up to date ({total} file{'' if total == 1 else 's'})."
    changed = len(diff.missing) + len(diff.stale)
    return f"{output_dir}/: {changed} written, {len(diff.orphaned)} removed, {len(diff.unchanged)} unchanged."
