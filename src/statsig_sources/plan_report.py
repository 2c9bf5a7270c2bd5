"""Renderers for a registration plan: text for terminals, JSON for tools, markdown for a PR comment."""

from __future__ import annotations

import json
from typing import Any

from statsig_sources.plan import Action, FieldChange, Plan, PlanItem

SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.UNCHANGED: "=",
    Action.ORPHANED: "-",
    Action.BLOCKED: "!",
}
LISTED = (Action.CREATE, Action.UPDATE, Action.ORPHANED, Action.BLOCKED)


def summary(plan: Plan) -> str:
    counts = plan.counts()
    return (
        f"{counts['create']} to create, {counts['update']} to update, {counts['unchanged']} unchanged, "
        f"{counts['orphaned']} orphaned, {counts['blocked']} blocked"
    )


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def render_text(plan: Plan) -> str:
    lines = [f"Statsig metric sources (marker {plan.marker}): {summary(plan)}."]
    for item in plan.items:
        if item.action not in LISTED:
            continue
        label = item.action.value + (" (adopt)" if item.adopted else "")
        lines.append(f"{SYMBOLS[item.action]} {label} {item.name}")
        if item.action is not Action.CREATE:
            lines += [
                f"    {change.field}: {_value(change.before)} -> {_value(change.after)}"
                for change in item.changes
            ]
        if item.reason:
            lines.append(f"    {item.reason}")
        if item.affected_metrics:
            lines.append(f"    affects metrics: {', '.join(item.affected_metrics)}")
    if plan.of(Action.ORPHANED):
        lines.append("Orphaned sources are kept; `apply --prune` deletes those no metric uses.")
    return "\n".join(lines) + "\n"


def _change_json(change: FieldChange) -> dict[str, Any]:
    return {"field": change.field, "before": change.before, "after": change.after}


def _item_json(item: PlanItem) -> dict[str, Any]:
    return {
        "action": item.action.value,
        "name": item.name,
        "adopted": item.adopted,
        "changes": [_change_json(change) for change in item.changes],
        "reason": item.reason,
        "affected_metrics": list(item.affected_metrics),
        "payload": dict(item.payload) if item.payload is not None else None,
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "marker": plan.marker,
        "summary": plan.counts(),
        "has_changes": plan.has_changes,
        "items": [_item_json(item) for item in plan.items],
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_json(plan), indent=2, sort_keys=True) + "\n"


def render_markdown(plan: Plan) -> str:
    lines = ["### Statsig metric sources plan", "", f"Marker `{plan.marker}`: {summary(plan)}.", ""]
    listed = [item for item in plan.items if item.action in LISTED]
    if not listed:
        return "\n".join([*lines, "No changes."]) + "\n"
    lines += ["| | action | source | detail |", "|---|---|---|---|"]
    for item in listed:
        detail = (
            ", ".join(f"`{change.field}`" for change in item.changes) if item.action is Action.UPDATE else ""
        )
        detail = _cell(item.reason or detail)
        if item.affected_metrics:
            detail += "; affects metrics: " + _cell(", ".join(item.affected_metrics))
        action = item.action.value + (" (adopt)" if item.adopted else "")
        lines.append(f"| {SYMBOLS[item.action]} | {action} | `{_cell(item.name)}` | {detail} |")
    for item in plan.of(Action.UPDATE):
        lines += ["", f"<details><summary>{_cell(item.name)}</summary>", "", "```diff"]
        for change in item.changes:
            lines += [
                f"- {change.field}: {_value(change.before)}",
                f"+ {change.field}: {_value(change.after)}",
            ]
        lines += ["```", "", "</details>"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
