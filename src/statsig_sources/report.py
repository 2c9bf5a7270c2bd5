"""Reports for the terminal, for machines (JSON) and for pull requests (Markdown). Pure functions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from statsig_sources.project import Project, Violation
from statsig_sources.render import RenderDiff
from statsig_sources.run_results import parse_timestamp

FORMATS = ("text", "json", "markdown")


def manifest_line(project: Project) -> str:
    """Which manifest a command read: its dbt project, adapter, when it was generated, and the target
    when the run results of the same dbt invocation name it (the manifest itself does not)."""
    manifest = project.manifest
    moment = parse_timestamp(manifest.generated_at)
    when = moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "at an unknown time"
    results = project.invocation_results
    target = f", target {results.target}" if results is not None and results.target else ""
    return (
        f"Read {project.manifest_path}: dbt project {manifest.project_name or '(unnamed)'}, adapter "
        f"{manifest.adapter_type or '(unknown)'}, generated {when}{target}."
    )


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


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return ["", *lines]


def validate_report(fmt: str, sources: int, violations: Sequence[Violation]) -> str:
    ok = not any(violation.severity == "error" for violation in violations)
    if fmt == "json":
        return to_json(
            {
                "command": "validate",
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


# What a refused command did not do, by command.
REFUSED = {
    "render": "nothing was written",
    "plan": "no request was sent to Statsig",
    "apply": "no request was sent to Statsig",
    "usage": "no request was sent to Statsig",
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


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False)
