"""What `apply` reports: a line per source or metric, what reading it back found, and the run's result,
in text (a terminal, or a CI log's lines), JSON and markdown.

Every problem is named with its item and why. Reading back happens after every write, so an item
already reported `done` in a CI log that Statsig then holds otherwise is reported again as `drifted`,
with each field whose value Statsig holds differs from what was sent; and the last text line says how
many items have problems, so a log never ends on a count of writes alone when the run exits 1.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from statsig_sources.registration.outcomes import PROBLEMS, ApplyResult, Outcome, Status
from statsig_sources.registration.plan_items import FieldChange, Kind, Plan
from statsig_sources.registration.report import change_lines, plan_json, render_markdown
from statsig_sources.support.output import markdown_cell, to_json


def outcome_line(outcome: Outcome) -> str:
    """`status: action name`, with the message of a problem (`blocked: statsig_orders: ...`); a metric
    is named as one (`done: create metric Order revenue`)."""
    action = "" if outcome.action.value == outcome.status.value else f" {outcome.action.value}"
    kind = " metric" if outcome.kind is Kind.METRIC else ""
    shown = outcome.status in PROBLEMS or outcome.status is Status.SKIPPED
    message = f": {outcome.message}" if shown and outcome.message else ""
    return f"{outcome.status.value}:{action}{kind} {outcome.name}{message}"


def drift_lines(outcome: Outcome) -> list[str]:
    """Each field Statsig holds otherwise than it was sent (indented under the outcome's line): one
    line, or, for SQL and text over several lines, a unified diff from what was sent to what it holds."""
    lines = []
    for change in outcome.drift:
        shown = change_lines(FieldChange(change.field, change.after, change.before), ("sent", "Statsig"))
        if shown[0].startswith("---"):
            lines += shown
        else:
            lines.append(
                f"{change.field}: sent {_value(change.after)}, Statsig holds {_value(change.before)}"
            )
    return [f"    {line}" for line in lines]


def problem_lines(outcome: Outcome) -> list[str]:
    return [outcome_line(outcome), *drift_lines(outcome)]


def summary_line(result: ApplyResult) -> str:
    """`Applied: 8 write(s).`, or, when any item has a problem, which kinds and how many."""
    problems = Counter(outcome.status.value for outcome in result.outcomes if outcome.status in PROBLEMS)
    if not problems:
        return f"Applied: {result.writes} write(s)."
    counted = ", ".join(f"{count} {status}" for status, count in sorted(problems.items()))
    return f"Applied: {result.writes} write(s), but {counted} (listed above), so apply exits 1."


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "kind": outcome.kind.value,
        "name": outcome.name,
        "action": outcome.action.value,
        "status": outcome.status.value,
        "message": outcome.message,
        "writes": outcome.writes,
        "drift": [
            {"field": change.field, "sent": change.after, "statsig": change.before}
            for change in outcome.drift
        ],
    }


def render_apply_json(plan: Plan, result: ApplyResult, *, dry_run: bool) -> str:
    counts = Counter(outcome.status.value for outcome in result.outcomes)
    return (
        to_json(
            {
                "command": "apply",
                "dry_run": dry_run,
                "ok": not result.exit_code,
                "plan": plan_json(plan),
                "outcomes": [outcome_json(outcome) for outcome in result.outcomes],
                "summary": {status.value: counts.get(status.value, 0) for status in Status},
                "writes": result.writes,
            },
            sort_keys=True,
        )
        + "\n"
    )


def render_apply_markdown(plan: Plan, result: ApplyResult, read: str = "") -> str:
    """The plan as `plan --format markdown` shows it, then what was done with each item."""
    lines = [render_markdown(plan, read).rstrip("\n"), "", "### Applied", ""]
    if result.outcomes:
        lines += ["| status | action | kind | name | detail |", "|---|---|---|---|---|"]
        for outcome in result.outcomes:
            detail = markdown_cell(outcome.message) if outcome.status in PROBLEMS else ""
            lines.append(
                f"| {outcome.status.value} | {outcome.action.value} | {outcome.kind.value} | "
                f"`{markdown_cell(outcome.name)}` | {detail} |"
            )
        lines += _markdown_drift(result)
    return "\n".join([*lines, "", summary_line(result)]) + "\n"


def _markdown_drift(result: ApplyResult) -> list[str]:
    lines = []
    for outcome in result.outcomes:
        if outcome.drift:
            lines += ["", f"<details open><summary>{markdown_cell(outcome.name)}: drifted</summary>", ""]
            lines += ["```", *(line.removeprefix("    ") for line in drift_lines(outcome)), "```"]
            lines += ["", "</details>"]
    return lines
