"""What `apply` did with each item of a plan, and the run's result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from statsig_sources.declaration.ownership import has_marker, other_markers
from statsig_sources.registration.plan_items import Action, FieldChange, Kind
from statsig_sources.support.errors import ExitCode


class Status(str, Enum):
    DONE = "done"
    VALIDATED = "validated"  # dry run: Statsig checked it and persisted nothing
    SKIPPED = "skipped"  # dry run: not sent, since what it reads is only validated
    KEPT = "kept"  # an orphan left in place (no --prune)
    BLOCKED = "blocked"
    FAILED = "failed"
    DRIFTED = "drifted"  # written, but Statsig's copy differs from what we sent


PROBLEMS = frozenset({Status.BLOCKED, Status.FAILED, Status.DRIFTED})


@dataclass(frozen=True)
class Outcome:
    name: str
    action: Action
    status: Status
    message: str = ""
    drift: tuple[FieldChange, ...] = ()
    writes: int = 0  # requests that changed Statsig on this item's behalf
    kind: Kind = Kind.SOURCE


@dataclass(frozen=True)
class ApplyResult:
    outcomes: tuple[Outcome, ...]

    @property
    def writes(self) -> int:
        return sum(outcome.writes for outcome in self.outcomes)

    @property
    def exit_code(self) -> ExitCode:
        problem = any(outcome.status in PROBLEMS for outcome in self.outcomes)
        return ExitCode.FINDINGS if problem else ExitCode.OK


def not_ours_to_delete(remote: Mapping[str, Any], marker: str) -> str:
    """Why a source or metric read just before its delete must be kept ("" when it may go)."""
    if not has_marker(remote, marker):
        return f"not deleted: it no longer carries the marker {marker!r}"
    others = other_markers(remote, marker)
    if others:
        return (
            f"not deleted: it also carries {', '.join(others)}, so its owner is unclear; remove the "
            "marker that does not name its owner"
        )
    return ""
