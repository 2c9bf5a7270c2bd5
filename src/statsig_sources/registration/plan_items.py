"""The vocabulary of a registration plan: what is planned for each source and metric, and the plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ORPHANED = "orphaned"
    BLOCKED = "blocked"


class Kind(str, Enum):
    SOURCE = "source"
    METRIC = "metric"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class PlanItem:
    action: Action
    name: str
    payload: Mapping[str, Any] | None = None  # what create/update sends (marker included)
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""
    adopted: bool = False
    affected_metrics: tuple[str, ...] = ()  # metrics that read an updated source (impact.py)
    kind: Kind = Kind.SOURCE
    id: str = ""  # a metric's id, `<name>::user_warehouse`
    reads: tuple[str, ...] = ()  # the sources a metric reads

    @property
    def key(self) -> str:
        """What Statsig's paths name it by: a source's name, a metric's id."""
        return self.id or self.name


@dataclass(frozen=True)
class Plan:
    marker: str
    items: tuple[PlanItem, ...] = field(default_factory=tuple)

    def of(self, action: Action, kind: Kind | None = None) -> tuple[PlanItem, ...]:
        """The items with this action, of one kind or of both."""
        return tuple(
            item for item in self.items if item.action is action and (kind is None or item.kind is kind)
        )

    def counts(self, kind: Kind = Kind.SOURCE) -> dict[str, int]:
        return {action.value: len(self.of(action, kind)) for action in Action}

    def has(self, kind: Kind) -> bool:
        return any(item.kind is kind for item in self.items)

    @property
    def has_changes(self) -> bool:
        """Creates or updates are pending (orphans are removed only by `apply --prune`)."""
        return any(item.action in (Action.CREATE, Action.UPDATE) for item in self.items)


def managed_payload(desired: Mapping[str, Any], marker: str) -> dict[str, Any]:
    """The payload as we send it: the marker appended to its tags and `isReadOnly: true`."""
    tags = [str(tag) for tag in desired.get("tags") or ()]
    payload = {**desired, "tags": [*dict.fromkeys([*tags, marker])], "isReadOnly": True}
    return payload


def orphan_reason(others: list[str]) -> str:
    """Why an object with the marker that dbt no longer declares is planned as orphaned."""
    reason = "carries the marker but is no longer declared in dbt"
    if others:
        reason += f"; it also carries {', '.join(others)}, so it is never pruned"
    return reason


def duplicates(names: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for name in names:
        if name in seen:
            repeated.add(name)
        seen.add(name)
    return sorted(repeated - {""})
