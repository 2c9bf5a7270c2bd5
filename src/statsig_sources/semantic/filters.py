"""A Semantic Layer `filter` turned into Statsig criteria, when it is one plain comparison on a
categorical dimension of the metric's own semantic model; otherwise the reason it cannot be.

MetricFlow writes a filter as SQL with Jinja references, `{{ Dimension('order__status') }} = 'paid'`.
Only these forms are recognised: `=`, `!=`/`<>`, `in (...)`, `not in (...)`, `is null`,
`is not null`, and `= true`/`= false`; each reads one dimension, whose entity prefix names the semantic
model's primary entity (another entity would need a join).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from statsig_sources.semantic.layer import SemanticModel

_REFERENCE = r"\{\{\s*Dimension\(\s*['\"](?P<ref>[A-Za-z0-9_]+)['\"]\s*\)\s*\}\}"
_LITERAL = r"(?:'(?:[^']|'')*'|-?\d+(?:\.\d+)?)"
_FORMS = (
    (re.compile(rf"^\s*{_REFERENCE}\s*(?P<op>=|!=|<>)\s*(?P<value>true|false)\s*$", re.I), "boolean"),
    (re.compile(rf"^\s*{_REFERENCE}\s*(?P<op>=|!=|<>)\s*(?P<value>{_LITERAL})\s*$", re.I), "compare"),
    (
        re.compile(
            rf"^\s*{_REFERENCE}\s+(?P<op>not\s+in|in)\s*\((?P<value>\s*{_LITERAL}(?:\s*,\s*{_LITERAL})*)\s*\)\s*$",
            re.I,
        ),
        "list",
    ),
    (re.compile(rf"^\s*{_REFERENCE}\s+is\s+(?P<op>not\s+)?null\s*$", re.I), "null"),
)


@dataclass(frozen=True)
class Criteria:
    """Filters as a declaration's `criteria` list, or why they are not expressible."""

    items: tuple[dict[str, Any], ...] = ()
    refused: str = ""


def criteria(filters: tuple[str, ...], model: SemanticModel) -> Criteria:
    """Every filter (they are and-ed, as Statsig's criteria are) as one criterion each."""
    items = []
    for text in filters:
        item = _criterion(text, model)
        if isinstance(item, str):
            return Criteria(refused=item)
        items.append(item)
    return Criteria(tuple(items))


def _criterion(text: str, model: SemanticModel) -> dict[str, Any] | str:
    for pattern, form in _FORMS:
        match = pattern.match(text)
        if match is None:
            continue
        column = _dimension_column(match.group("ref"), model)
        if not column.startswith("column:"):
            return column
        groups = match.groupdict()
        return _build(form, column.removeprefix("column:"), groups.get("op") or "", groups.get("value"))
    return f"filter `{text}` is not one comparison on a dimension this import can express as criteria"


def _dimension_column(reference: str, model: SemanticModel) -> str:
    """`column:<name>` for a plain categorical dimension of `model`; else the reason it is not."""
    entity, _, name = reference.rpartition("__")
    own_entities = {item.name for item in model.entities if item.kind == "primary"} | {model.primary_entity}
    own_entities.discard("")
    if entity not in own_entities:
        return f"filter on `{reference}` reaches through entity `{entity}` (a join)"
    dimension = next((item for item in model.dimensions if item.name == name), None)
    if dimension is None or dimension.kind != "categorical":
        return f"filter on `{reference}` is not a categorical dimension of semantic model `{model.name}`"
    if dimension.has_expr:
        return f"filter on `{reference}` reads a computed dimension (`{dimension.column}`)"
    return "column:" + dimension.name


def _build(form: str, column: str, op: str, value: str | None) -> dict[str, Any]:
    negated = op.strip().lower() in {"!=", "<>"} or op.lower().startswith("not")
    if form == "null":
        return {"column": column, "condition": "non_null" if op else "is_null"}
    if form == "boolean":
        truth = (value or "").lower() == "true"
        return {"column": column, "condition": "is_true" if truth != negated else "is_false"}
    values = re.findall(_LITERAL, value or "") if form == "list" else [value or ""]
    return {
        "column": column,
        "condition": "not_in" if negated else "in",
        "values": [_literal(v) for v in values],
    }


def _literal(text: str) -> str | float | int:
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    return float(text) if "." in text else int(text)
