"""The import's report, in text, JSON or markdown: every semantic model and metric by its dbt name,
what it became or why not, the files, and a summary line."""

from __future__ import annotations

from typing import Any

from statsig_sources.semantic.outcomes import APPROXIMATED, IMPORTED, SKIPPED, Outcome
from statsig_sources.semantic.run import ImportResult
from statsig_sources.support.output import markdown_cell, to_json

_FILE_LISTS = ("created", "updated", "deleted", "unchanged", "kept")


def import_report(fmt: str, result: ImportResult, out_dir: str) -> str:
    if fmt == "json":
        return to_json(_document(result, out_dir))
    if fmt == "markdown":
        return _markdown(result, out_dir)
    return _text(result, out_dir)


def summary(result: ImportResult) -> str:
    counts = {
        status: sum(item.status == status for item in result.outcomes)
        for status in (IMPORTED, APPROXIMATED, SKIPPED)
    }
    models = sum(item.kind == "semantic model" for item in result.outcomes)
    metrics = len(result.outcomes) - models
    return (
        f"{models} semantic models and {metrics} metrics: {counts[IMPORTED]} imported, "
        f"{counts[APPROXIMATED]} approximated, {counts[SKIPPED]} skipped."
    )


def _closing(result: ImportResult, out_dir: str) -> list[str]:
    """What was (or would be) done to the folder, and why the run fails, if it does."""
    files = result.files
    verb = "would change" if result.check or result.refused_by_strict else "changed"
    changed = len(files.created) + len(files.updated) + len(files.deleted)
    lines = [f"{out_dir}: {changed} file(s) {verb}, {len(files.unchanged)} unchanged."]
    lines += [
        f"left alone (edited by hand or not written by the import; --force replaces it): {out_dir}/{name}"
        for name in files.kept
    ]
    if result.refused_by_strict:
        lines.append(f"--strict: {result.skipped} skipped; nothing written.")
    if result.check and files.changed:
        lines.append(
            "--check: the generated files do not match the Semantic Layer; run import-semantic-layer."
        )
    return lines


def _describe(outcome: Outcome) -> str:
    if outcome.status == SKIPPED:
        return f"skipped: {outcome.reason}"
    loss = f" (approximated: {outcome.reason})" if outcome.status == APPROXIMATED else ""
    return f"{outcome.became}{loss}"


def _title(outcome: Outcome) -> str:
    return f"{outcome.name} ({outcome.label})" if outcome.label else outcome.name


def _text(result: ImportResult, out_dir: str) -> str:
    lines = [f"{outcome.kind} {_title(outcome)} -> {_describe(outcome)}" for outcome in result.outcomes]
    for kind, names in _changed_files(result):
        lines += [f"{kind} {out_dir}/{name}" for name in names]
    return "\n".join([*lines, *_closing(result, out_dir), summary(result)])


def _changed_files(result: ImportResult) -> list[tuple[str, list[str]]]:
    files = result.files
    prefix = "would be " if result.check or result.refused_by_strict else ""
    return [
        (prefix + "created", files.created),
        (prefix + "updated", files.updated),
        (prefix + "deleted", files.deleted),
    ]


def _markdown(result: ImportResult, out_dir: str) -> str:
    lines = ["| kind | dbt name | label | outcome | became, or why not |", "|---|---|---|---|---|"]
    for outcome in result.outcomes:
        detail = outcome.became if outcome.status != SKIPPED else outcome.reason
        if outcome.status == APPROXIMATED:
            detail += f"; loses: {outcome.reason}"
        cells = (outcome.kind, outcome.name, outcome.label, outcome.status, detail)
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    files = [f"- {kind} `{out_dir}/{name}`" for kind, names in _changed_files(result) for name in names]
    return "\n".join(
        [
            *lines,
            "",
            *files,
            *([""] if files else []),
            *_closing(result, out_dir),
            "",
            f"**{summary(result)}**",
        ]
    )


def _document(result: ImportResult, out_dir: str) -> dict[str, Any]:
    return {
        "command": "import-semantic-layer",
        "check": result.check,
        "strict": result.strict,
        "ok": not result.failed,
        "out_dir": out_dir,
        "semantic_models": [_entry(item) for item in result.outcomes if item.kind == "semantic model"],
        "metrics": [_entry(item) for item in result.outcomes if item.kind == "metric"],
        "files": {name: getattr(result.files, name) for name in _FILE_LISTS},
        "summary": {
            status: sum(item.status == status for item in result.outcomes)
            for status in (IMPORTED, APPROXIMATED, SKIPPED)
        },
    }


def _entry(outcome: Outcome) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": outcome.name, "status": outcome.status}
    if outcome.label:
        entry["label"] = outcome.label
    if outcome.became:
        entry["became"] = outcome.became
    if outcome.reason:
        entry["loss" if outcome.status == APPROXIMATED else "reason"] = outcome.reason
    return entry
