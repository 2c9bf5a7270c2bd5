"""Renderers for metric usage: a table for terminals, markdown for a PR comment, JSON for tools."""

from __future__ import annotations

from typing import Any

from statsig_sources.support.output import markdown_cell, to_json
from statsig_sources.usage.join import Dangling, Metric, SourceUsage, Usage

HEADER = ("source", "model", "metric", "aggregation", "columns")


def summary(usage: Usage) -> str:
    used = len(usage.sources) - len(usage.unused)
    return (
        f"{len(usage.sources)} managed source(s), {used} used, {len(usage.unused)} unused; "
        f"{usage.metric_count} metric(s), {len(usage.dangling)} dangling"
    )


def _label(metric: Metric) -> str:
    notes = [note for note, applies in (("hidden", metric.hidden), ("as code", metric.as_code)) if applies]
    return metric.name + (f" ({', '.join(notes)})" if notes else "")


def _rows(usage: Usage) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for entry in usage.sources:
        for metric in entry.metrics or (None,):
            if metric is None:
                rows.append((entry.source.name, entry.source.model, "-", "", ""))
                continue
            ref = metric.ref(entry.source.name)
            columns = ", ".join(ref.columns) if ref else ""
            rows.append((entry.source.name, entry.source.model, _label(metric), metric.aggregation, columns))
    return rows


def _strays(item: Dangling) -> str:
    return ", ".join(f"{name} ({why})" for name, why in item.sources)


def render_text(usage: Usage) -> str:
    rows = [HEADER, *_rows(usage)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [f"Statsig metric usage: {summary(usage)}.", ""]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if usage.unused:
        lines += ["", "Unused sources: " + ", ".join(usage.unused)]
    if usage.dangling:
        lines += ["", "Dangling metrics (their sources are not managed by dbt):"]
        lines += [f"  {_label(item.metric)} [{item.metric.id}] -> {_strays(item)}" for item in usage.dangling]
    return "\n".join(lines) + "\n"


def render_markdown(usage: Usage) -> str:
    lines = ["### Statsig metric usage", "", f"{summary(usage)}.", ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for source, model, metric, aggregation, columns in _rows(usage):
        cells = [f"`{source}`", f"`{model}`", metric, aggregation, columns]
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    if usage.unused:
        lines += ["", "**Unused sources:** " + ", ".join(f"`{name}`" for name in usage.unused)]
    if usage.dangling:
        lines += ["", "**Dangling metrics** (their sources are not managed by dbt):", ""]
        lines += [
            f"- {markdown_cell(_label(item.metric))} → {markdown_cell(_strays(item))}"
            for item in usage.dangling
        ]
    return "\n".join(lines) + "\n"


def _metric_json(metric: Metric, source: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": metric.id,
        "name": metric.name,
        "aggregation": metric.aggregation,
        "hidden": metric.hidden,
        "managed_as_code": metric.as_code,
    }
    ref = metric.ref(source) if source is not None else None
    if ref is not None:
        out["columns"] = list(ref.columns)
        out["via"] = list(ref.via)
    return out


def _source_json(entry: SourceUsage) -> dict[str, Any]:
    return {
        "name": entry.source.name,
        "model": entry.source.model,
        "metrics": [_metric_json(metric, entry.source.name) for metric in entry.metrics],
    }


def usage_json(usage: Usage) -> dict[str, Any]:
    return {
        "sources": [_source_json(entry) for entry in usage.sources],
        "unused": list(usage.unused),
        "dangling": [
            {
                **_metric_json(item.metric),
                "sources": [{"name": name, "reason": why} for name, why in item.sources],
            }
            for item in usage.dangling
        ],
    }


def render_json(usage: Usage) -> str:
    return to_json(usage_json(usage)) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
