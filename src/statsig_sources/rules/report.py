"""How validation findings are reported: a line per violation, a markdown table, JSON, and what a
command refused to do because of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from statsig_sources.rules.violations import Violation
from statsig_sources.support.output import markdown_cell, to_json


def violation_dict(violation: Violation) -> dict[str, Any]:
    return {
        "severity": violation.severity,
        "rule": violation.rule,
        "node_id": violation.node_id or None,
        "files": list(violation.files),
        "message": violation.message,
    }


def summary(sources: int, violations: Sequence[Violation]) -> str:
    n_errors = sum(1 for violation in violations if violation.severity == "error")
    n_warnings = len(violations) - n_errors
    counts = [
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in ((n_errors, "error"), (n_warnings, "warning"))
        if n
    ]
    noun = "metric source" if sources == 1 else "metric sources"
    return f"{sources} {noun} checked: {', '.join(counts) if counts else 'no problems'}."


def violation_line(violation: Violation) -> str:
    where = ""
    if violation.node_id:
        files = f" ({', '.join(violation.files)})" if violation.files else ""
        where = f" {violation.node_id}{files}:"
    return f"{violation.severity}: [{violation.rule}]{where} {violation.message}"


def violation_table(violations: Sequence[Violation]) -> list[str]:
    if not violations:
        return []
    lines = ["| severity | rule | model | files | message |", "|---|---|---|---|---|"]
    for violation in violations:
        cells = (
            violation.severity,
            violation.rule,
            f"`{violation.node_id}`" if violation.node_id else "",
            ", ".join(f"`{path}`" for path in violation.files),
            violation.message,
        )
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    return ["", *lines]


def validate_report(
    fmt: str, sources: int, violations: Sequence[Violation], manifest: Mapping[str, Any] | None = None
) -> str:
    """The findings; in JSON, after `manifest`: what the text report's first line says."""
    ok = not any(violation.severity == "error" for violation in violations)
    if fmt == "json":
        return to_json(
            {
                "command": "validate",
                **({"manifest": dict(manifest)} if manifest is not None else {}),
                "ok": ok,
                "sources": sources,
                "violations": [violation_dict(violation) for violation in violations],
            }
        )
    if fmt == "markdown":
        lines = [
            "## statsig-sources validate",
            "",
            summary(sources, violations),
            *violation_table(violations),
        ]
        return "\n".join(lines)
    return "\n".join([*(violation_line(violation) for violation in violations), summary(sources, violations)])


# What a refused command did not do, by command.
REFUSED = {
    "render": "nothing was written",
    "plan": "no request was sent to Statsig",
    "apply": "no request was sent to Statsig",
    "usage": "no request was sent to Statsig",
    "reload": "no request was sent to Statsig",
}


def refused_report(fmt: str, command: str, sources: int, violations: Sequence[Violation]) -> str:
    """A command refuses invalid sources: the problems, and what it therefore did not do."""
    if fmt == "json":
        return to_json(
            {
                "command": command,
                "ok": False,
                "refused": True,
                "sources": sources,
                "violations": [violation_dict(violation) for violation in violations],
            }
        )
    text = validate_report(fmt, sources, violations)
    return text + "\n" + ("\n" if fmt == "markdown" else "") + f"{command} refused: {REFUSED[command]}."
