"""What the stand-in holds: metric sources, metrics and experiments in Statsig's own shapes, the faults
it was told to inject and the requests it saw; and how that state is written to a file.

Entries given without Statsig's bookkeeping fields (ids, owners, times, a metric's lineage, an
experiment's groups) are completed with the defaults below, so a seed names only what matters to it.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statsig_sources.statsig.remote_defaults import source_defaults
from statsig_sources.support.output import write_atomically

# What Statsig fills in on a stored metric source when a create leaves a field out.
# What Statsig fills in on create, from the one documented table the CLI's plan reads too.
SOURCE_DEFAULTS: dict[str, Any] = source_defaults()
# A fixed time for seeded entries (2026-01-01 UTC, in ms), so a state file is reproducible.
SEEDED_AT_MS = 1767225600000
STAND_IN_NAME = "statsig-sources stand-in"
EXPERIMENT_DEFAULTS: dict[str, Any] = {
    "idType": "userID",
    "description": "",
    "hypothesis": "",
    "status": "active",
    "tags": [],
    "groups": [
        {"name": "Control", "id": None, "size": 50, "parameterValues": {}},
        {"name": "Test", "id": None, "size": 50, "parameterValues": {}},
    ],
    "allocation": 100,
    "primaryMetrics": [],
    "secondaryMetrics": [],
    "primaryMetricTags": [],
    "secondaryMetricTags": [],
    "targetingGateID": "",
    "bonferroniCorrection": False,
    "defaultConfidenceInterval": "95",
    "decisionReason": None,
    "layerID": None,
    "startTime": None,
    "endTime": None,
    "decisionTime": None,
    "healthCheckStatus": "PASSED",
    "createdTime": SEEDED_AT_MS,
    "creatorName": STAND_IN_NAME,
    "lastModifiedTime": SEEDED_AT_MS,
    "lastModifierID": None,
    "lastModifierName": STAND_IN_NAME,
    "lastModifierEmail": None,
}
STATE_FORMAT = "statsig-sources stand-in state, version 1"


@dataclass
class Fault:
    """One scripted misbehaviour for the next request matching `method` and `path_contains`.

    kind: "status" (answer `status` with an error body and `retry_after`), "drop" (close the socket
    before the request takes effect) or "drop_after" (let it take effect, then close without answering).
    """

    kind: str
    status: int = 503
    retry_after: str | None = None
    method: str | None = None
    path_contains: str = ""
    times: int = 1


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float
    answered: int  # HTTP status, or 0 for a dropped connection


@dataclass
class State:
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    experiments: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    accepted_mutations: deque[float] = field(default_factory=deque)
    archive_scheduled: set[str] = field(default_factory=set)  # metric ids; Statsig's metric shows none


def make_metric(
    name: str,
    source: str | None = None,
    *,
    hidden: bool = False,
    aggregation: str = "count",
    **fields: Any,
) -> dict[str, Any]:
    """A warehouse-native metric per ExternalMetricDefinitionContractDto: `source` (if given) and any
    other `fields` go inside `warehouseNative`, except the top-level `description` and `owner`."""
    top = {key: fields.pop(key) for key in ("description", "owner") if key in fields}
    native = {"aggregation": aggregation, **({"metricSourceName": source} if source else {}), **fields}
    return complete_metric({"name": name, "isHidden": hidden, "warehouseNative": native, **top})


def complete_metric(metric: dict[str, Any]) -> dict[str, Any]:
    """A metric as Statsig lists it: a warehouse-native type, the id `<name>::<type>`, a lineage."""
    kind = metric.get("type", "user_warehouse")
    defaults = {
        "id": f"{metric.get('name')}::{kind}",
        "type": kind,
        "directionality": "increase",
        "isHidden": False,
        "lineage": {"events": [], "metrics": []},
    }
    return {**defaults, **metric}


def complete_experiment(experiment: dict[str, Any]) -> dict[str, Any]:
    """An experiment as Statsig lists it (ExternalExperimentDto); the id defaults to the name."""
    identity = {"id": experiment.get("id", experiment.get("name"))}
    identity["name"] = experiment.get("name", identity["id"])
    return {**EXPERIMENT_DEFAULTS, **identity, **experiment}


def state_document(state: State) -> dict[str, Any]:
    """The part of the state worth keeping between runs, in the seed file's own format."""
    return {
        "format": STATE_FORMAT,
        "metricSources": list(state.sources.values()),
        "metrics": list(state.metrics),
        "experiments": list(state.experiments.values()),
    }


def write_state(path: Path, document: dict[str, Any]) -> None:
    """Replace the state file in one step: a reader (or a crash) never sees half a file."""
    write_atomically(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


@dataclass(frozen=True)
class Load:
    """One accepted `load_pulse` request, with what it asked for (the history does not say)."""

    experiment_id: str
    refresh: str
    metric_ids: tuple[str, ...]
    created_ms: float


@dataclass
class PulseState:
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # id -> loads, newest first
    scripted: dict[str, list[str | None]] = field(default_factory=dict)  # id -> how the next loads end
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (status, message)
    loads: list[Load] = field(default_factory=list)
