"""The rules' vocabulary: a violation, and how a rule names the model it found one in."""

from __future__ import annotations

from dataclasses import dataclass

from statsig_sources.project import MetricSource


@dataclass(frozen=True, order=True)
class Violation:
    """One problem found by a rule. `severity` is `error` (fails validation) or `warning`."""

    node_id: str  # empty for a project-wide finding
    rule: str
    message: str
    severity: str = "error"
    files: tuple[str, ...] = ()


def violation(rule: str, source: MetricSource, message: str, severity: str = "error") -> Violation:
    return Violation(source.model.unique_id, rule, message, severity, source.model.files)
