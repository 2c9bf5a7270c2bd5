"""The gate: whether a metric source's declaration is usable, and under which name Statsig knows it.

Every command reads both answers from here, through the `MetricSource` that project.py builds
for each model, so `validate`, `render`, `plan`, `apply`, `usage` and `reload` cannot disagree about
them (rules/gate.py turns an unusable declaration into what each command refuses):

- a declaration is **usable** when the contract finds no problem in it (every field a command reads
  is there and valid) and every text a payload would carry for the model encodes as UTF-8 (its
  description, relation name, database, schema and alias). Anything less, and no command acts on it;
- its **name** is the declared `source_name` whenever one is declared as text, even in a declaration
  with problems, so a problem elsewhere in it (an unknown unit type, a reserved tag) never makes the
  source look like another one named after its model. The model's name counts only when no
  `source_name` is declared. A `source_name` that is not text gives no name at all (None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from statsig_sources.artifacts.manifest import SourceModel
from statsig_sources.declaration.checker import Problem, is_text
from statsig_sources.declaration.source import encoding_problem


@dataclass(frozen=True)
class Admission:
    """The gate's answer for one source."""

    name: str | None  # Statsig's name for it; None when its declared source_name cannot be read
    usable: bool  # the declaration passed the contract: commands may act on it


def admit(raw: Any, model_name: str, problems: Sequence[Problem]) -> Admission:
    """The gate's answer for a model's raw `meta.statsig` and the problems the contract found in it."""
    declared = raw.get("source_name") if isinstance(raw, Mapping) else None
    if declared is None:
        name: str | None = model_name
    else:
        name = declared if is_text(declared) else None
    return Admission(name, usable=not problems)


def model_problems(model: SourceModel) -> list[Problem]:
    """Text in the model's own properties that a payload carries and UTF-8 cannot encode (a lone
    surrogate, which JSON's `\\ud800` decodes to): no request holding it could be sent."""
    fields = {
        "the model's description": model.description,
        "the model's relation_name": model.relation_name,
        "the model's database, schema or alias": [
            model.relation.database,
            model.relation.schema,
            model.relation.name,
        ],
    }
    return [
        Problem("unencodable", what, problem)
        for what, value in fields.items()
        if (problem := encoding_problem(what, value)) is not None
    ]
