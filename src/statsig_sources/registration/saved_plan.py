"""A saved plan: what `plan --out FILE` writes and `apply --plan FILE` applies, exactly, or refuses.

The file (JSON, format version 1; docs/registration.md#saved-plans) holds the plan's items as the plan
made them (every item, blocked ones with their reasons; each create's and update's payload exactly as
it will be sent, the remote fields an update keeps included), the options that shaped them, and two
fingerprints (fingerprint.py): of every Statsig object the plan read and of the project's declared
sources and metrics. It holds no key and no URL: nothing in it is secret, and it is reviewable.

Applying it plans again from the current manifest and Statsig, with the saved options, and goes on
only when both fingerprints are the same as the file's (otherwise it names what changed, exit 1) and
the items planned again are the file's (otherwise the file was edited, exit 2). What is written is then
exactly what was reviewed, and nothing in the file can make `apply` send what `plan` would not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

import msgspec

from statsig_sources import __version__
from statsig_sources.registration.fingerprint import (
    Fingerprint,
    declarations_fingerprint,
    differences,
    statsig_fingerprint,
)
from statsig_sources.registration.plan_items import Plan, PlanItem
from statsig_sources.support.errors import InputError, RefusedError
from statsig_sources.support.output import write_atomically

FORMAT = "statsig-sources plan"
FORMAT_VERSION = 1
MAX_BYTES = 256 * 1024 * 1024  # far above any plan: 10,000 sources and metrics take a few megabytes


class PlanOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The options a plan was made with; applying it plans again with the same."""

    adopt: tuple[str, ...] = ()
    take_over: tuple[str, ...] = ()
    force: bool = False


class PlannedProject(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The project as the plan read it: what must not change (the marker, the adapter whose SQL
    dialect the breaking-change guard reads), and the manifest line the plan's report began with."""

    dbt_project: str
    adapter: str
    marker: str
    read: str


class SavedPlan(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    format: str
    format_version: int
    statsig_sources_version: str
    planned_at: str
    project: PlannedProject
    options: PlanOptions
    declarations: Fingerprint
    statsig: Fingerprint
    items: tuple[PlanItem, ...]

    @property
    def plan(self) -> Plan:
        return Plan(self.project.marker, self.items)


class _Envelope(msgspec.Struct):
    """What is read first, from any JSON object: which format and version, and which release wrote it."""

    format: Any = None
    format_version: Any = None
    statsig_sources_version: Any = None


@dataclass(frozen=True)
class Planned:
    """A plan, with what it was made from: the declared payloads and every object read from Statsig,
    fingerprinted only when a saved plan needs them (it takes a second for thousands of metrics)."""

    plan: Plan
    project: PlannedProject
    options: PlanOptions
    declared: Mapping[str, Sequence[Mapping[str, Any]]]  # each kind's payloads, by the kind's name
    reads: Sequence[tuple[str, Mapping[str, Any]]]

    @cached_property
    def declarations(self) -> Fingerprint:
        return declarations_fingerprint(self.declared)

    @cached_property
    def statsig(self) -> Fingerprint:
        return statsig_fingerprint(self.reads)


def write_plan(path: Path, planned: Planned) -> None:
    """Write the plan to `path` in one step (a reader sees the old file or the whole new one)."""
    saved = SavedPlan(
        FORMAT,
        FORMAT_VERSION,
        __version__,
        datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        planned.project,
        planned.options,
        planned.declarations,
        planned.statsig,
        planned.plan.items,
    )
    write_atomically(path, msgspec.json.format(msgspec.json.encode(saved).decode(), indent=2) + "\n")


def read_plan(path: Path) -> SavedPlan:
    """The saved plan at `path`; an input error (exit 2) naming the file for anything else."""
    data = _read_bytes(path)
    envelope = _decoded(path, data, _Envelope)
    if envelope.format != FORMAT:
        raise InputError(f"{path} is not a statsig-sources plan (its `format` is not {FORMAT!r})")
    if envelope.format_version != FORMAT_VERSION:
        raise InputError(
            f"{path} is a statsig-sources plan of format version {envelope.format_version!r}; this "
            f"statsig-sources {__version__} reads version {FORMAT_VERSION}: plan again with it"
        )
    if envelope.statsig_sources_version != __version__:
        raise InputError(
            f"{path} was planned by statsig-sources {envelope.statsig_sources_version!r}, and this is "
            f"{__version__}: plan again with this version, and apply that plan"
        )
    saved: SavedPlan = _decoded(path, data, SavedPlan)
    return saved


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot read the plan {path}: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{path} is larger than any statsig-sources plan ({MAX_BYTES} bytes)")
    return data


def _decoded(path: Path, data: bytes, shape: type[Any]) -> Any:
    try:
        return msgspec.json.decode(data, type=shape)
    except msgspec.ValidationError as error:
        raise InputError(f"{path} is not a statsig-sources plan this version can read: {error}") from None
    except (msgspec.DecodeError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise InputError(f"{path} is not a statsig-sources plan: it is not JSON ({reason})") from None


# How a change is named, by where it happened and what happened: an object `appeared`, is `gone`, or
# its fields changed (any other `what`).
STATSIG_CHANGES = {
    "appeared": "{subject} appeared in Statsig",
    "gone": "{subject} is no longer in Statsig",
    "changed": "{subject} changed in Statsig: {what}",
}
PROJECT_CHANGES = {
    "appeared": "{subject} is newly declared",
    "gone": "{subject} is no longer declared",
    "changed": "the declaration of {subject} changed: {what}",
}


def check_still_holds(path: Path, saved: SavedPlan, now: Planned) -> Plan:
    """The saved plan, when the project and Statsig are as it found them and planning again gives its
    items; RefusedError naming every change (exit 1), or InputError when only the items differ."""
    changed = _project_changes(saved.project, now.project)
    changed += _named(differences(saved.statsig, now.statsig), STATSIG_CHANGES)
    changed += _named(differences(saved.declarations, now.declarations), PROJECT_CHANGES)
    if changed:
        raise RefusedError(
            f"apply refused, nothing was written: {path} no longer matches what it was planned from "
            f"(planned {saved.planned_at}):\n" + "\n".join(f"  - {line}" for line in changed) + "\n"
            f"Plan again (`statsig-sources plan --out {path}`), review it, and apply that plan."
        )
    if _encoded(saved.items) != _encoded(now.plan.items):
        raise InputError(
            f"{path}'s items are not the plan statsig-sources {__version__} makes from the project and the "
            "Statsig objects it fingerprints, which have not changed: the file was edited. Plan again, "
            "and apply the plan as written."
        )
    return saved.plan


def _project_changes(saved: PlannedProject, now: PlannedProject) -> list[str]:
    fields = (("dbt project", "dbt_project"), ("adapter", "adapter"), ("ownership marker", "marker"))
    return [
        f"the {label} changed: {getattr(saved, name)!r} -> {getattr(now, name)!r}"
        for label, name in fields
        if getattr(saved, name) != getattr(now, name)
    ]


def _named(found: list[tuple[str, str, str]], templates: dict[str, str]) -> list[str]:
    return [
        templates.get(what, templates["changed"]).format(subject=f"{kind} `{key}`", what=what)
        for kind, key, what in found
    ]


def _encoded(items: Sequence[PlanItem]) -> bytes:
    return msgspec.json.encode(list(items), order="sorted")
