"""The vocabulary of a registration plan: what is planned for each source and metric, and the plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from statsig_sources.declaration.ownership import has_marker, other_markers, owners


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ORPHANED = "orphaned"
    BLOCKED = "blocked"


class Kind(str, Enum):
    SOURCE = "source"
    METRIC = "metric"


class Declared(Protocol):
    """One declared object's payload and the model that declares it."""

    @property
    def name(self) -> str: ...

    @property
    def node_id(self) -> str: ...

    @property
    def body(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class RunningExperiment:
    id: str
    name: str  # "" when Statsig gives it none


@dataclass(frozen=True)
class Reader:
    """A Statsig metric that reads a source dbt no longer declares (removals.py)."""

    metric_id: str
    metric_name: str
    leaving: bool  # carries this project's marker and dbt no longer declares it: it leaves with the source
    experiments: tuple[RunningExperiment, ...] = ()  # the running experiments that use it, by id

    @property
    def breaks(self) -> bool:
        """Removing the source breaks it: a metric made in Statsig, or one leaving dbt that a running
        experiment still uses."""
        return not self.leaving or bool(self.experiments)


@dataclass(frozen=True)
class PlanItem:
    action: Action
    name: str
    # What is sent (marker included): a create's payload as declared; an update's whole body, what
    # Statsig holds merged with what is declared (merge.py); for a blocked item, what adopting would send.
    payload: Mapping[str, Any] | None = None
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""
    adopted: bool = False  # an update of an object that did not carry the marker
    taken_over_from: tuple[str, ...] = ()  # other projects' markers an adoption replaces (--take-over)
    affected_metrics: tuple[str, ...] = ()  # metrics that read an updated source (impact.py)
    kind: Kind = Kind.SOURCE
    id: str = ""  # a metric's id, `<name>::user_warehouse`
    reads: tuple[str, ...] = ()  # the sources a metric reads
    readers: tuple[Reader, ...] = ()  # the metrics that read a source dbt no longer declares (removals.py)

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


def ownership_refusal(
    kind: Kind, name: str, remote: Mapping[str, Any], marker: str, *, adopt: bool, take_over: bool
) -> str:
    """Why a declared source or metric may not be written over what Statsig holds under its name, or
    "" when it may: ours (our marker and no other project's), an unmarked one adopted with --adopt,
    or one another statsig-sources project marks, taken over with --take-over (which adopts an
    unmarked one too). One that carries our marker and another project's has an unclear owner: it is
    refused as well, as prune refuses to delete it."""
    others = other_markers(remote, marker)
    if others and not take_over:
        return (
            f"a {kind.value} named {name!r} in Statsig belongs to {owners(others)}; --adopt takes over only "
            f"objects without a marker: pass --take-over {name!r} to move it to this project"
        )
    if others or has_marker(remote, marker) or adopt or take_over:
        return ""
    return (
        f"a {kind.value} named {name!r} exists in Statsig without the marker {marker!r}; "
        f"pass --adopt {name!r} to manage it"
    )


def take_over_reason(others: tuple[str, ...]) -> str:
    """What an update that takes an object over from another project says about it."""
    return f"taken over from {owners(list(others))}: this project's marker replaces theirs" if others else ""


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
