"""Metrics: list (hidden ones on request), read by id or by name and type, create, update (POST), delete,
schedule and cancel an archive, unarchive, and the experiments that use one.

Bodies are validated strictly against `MetricCreationContractDto` and `MetricsUpdateContractDto`; what
is stored, and answered, is an `ExternalMetricDefinitionContractDto` completed with Statsig's
bookkeeping (state.complete_metric). Where the documents are silent the stand-in takes the strict
reading and says so: the sources a warehouse-native metric names must exist, an update replaces
`warehouseNative` as a whole, and an archive (scheduled "for next day") leaves no trace in the metric,
only in the stand-in's own state.
"""

from __future__ import annotations

from typing import Any

from statsig_sources.standin.envelope import INVALID, error, flag, page
from statsig_sources.standin.schemas import problems
from statsig_sources.standin.service import StandIn
from statsig_sources.standin.state import complete_metric

Answer = tuple[int, Any]
NOT_FOUND = "Not Found. The requested resource could not be found."  # the documents' own 404 message


def route(
    fake: StandIn, method: str, rest: list[str], path: str, query: dict[str, list[str]], body: Any
) -> Answer | None:
    """`rest` is the path after `/metrics`; None when nothing there answers `method`."""
    match (method, rest):
        case ("GET", ["list"]):
            return _listed(fake, path, query)
        case ("POST", []):
            return _create(fake, body)
        case ("GET", [metric_id]):
            return 200, {"message": "Metric read successfully.", "data": existing(fake, metric_id)}
        case ("GET", [metric_id, "experiments"]):
            found = experiments_using(fake, existing(fake, metric_id))
            return page(fake.default_page_size, path, query, found, "Experiments listed successfully.")
        case ("GET", [name, kind]):
            return 200, {"message": "Metric read successfully.", "data": existing(fake, f"{name}::{kind}")}
        case ("POST", [metric_id]):
            return _update(fake, metric_id, body)
        case ("DELETE", [metric_id]):
            return _delete(fake, metric_id)
        case ("PUT", [metric_id, action]) if action in ARCHIVING:
            return _archiving(fake, metric_id, action)
    return None


def _listed(fake: StandIn, path: str, query: dict[str, list[str]]) -> Answer:
    """Hidden metrics are left out unless `showHiddenMetrics=true`."""
    show_hidden = flag(query, "showHiddenMetrics")
    with fake.lock:
        metrics = [m for m in fake.state.metrics if show_hidden or not m.get("isHidden")]
    return page(fake.default_page_size, path, query, metrics, "Metrics listed successfully.")


def existing(fake: StandIn, metric_id: str) -> dict[str, Any]:
    with fake.lock:
        found = next((m for m in fake.state.metrics if m.get("id") == metric_id), None)
    if found is None:
        raise error(404, f"Metric '{metric_id}' not found.")
    return dict(found)


def experiments_using(fake: StandIn, metric: dict[str, Any]) -> list[dict[str, Any]]:
    """Experiments that name the metric among their primary or secondary metrics."""
    wanted = {"name": metric["name"], "type": metric["type"]}
    with fake.lock:
        experiments = list(fake.state.experiments.values())
    return [
        experiment
        for experiment in experiments
        if any(
            {"name": m.get("name"), "type": m.get("type")} == wanted
            for m in [*experiment.get("primaryMetrics", []), *experiment.get("secondaryMetrics", [])]
        )
    ]


def _validate(fake: StandIn, schema: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise error(400, INVALID)
    found = problems(schema, body, strict=fake.strict)
    native = body.get("warehouseNative")
    for field in ("metricSourceName", "denominatorMetricSourceName"):
        name = native.get(field) if isinstance(native, dict) else None
        with fake.lock:
            missing = isinstance(name, str) and name and name not in fake.state.sources
        if missing:
            found.append(
                {"property": f"warehouseNative.{field}", "errorMessage": f"Metric source '{name}' not found."}
            )
    if found:
        raise error(400, INVALID, found)
    return body


def _stored(fake: StandIn, metric: dict[str, Any]) -> dict[str, Any]:
    tags = metric.get("tags")
    stored = complete_metric({**metric, "tags": [tags] if isinstance(tags, str) else tags or []})
    stored.pop("dryRun", None)
    found = problems("ExternalMetricDefinitionContractDto", stored, strict=fake.strict)
    assert not found, f"the stand-in would answer an invalid ExternalMetricDefinitionContractDto: {found}"
    return stored


def _create(fake: StandIn, body: Any) -> Answer:
    payload = _validate(fake, "MetricCreationContractDto", body)
    created = {"creatorName": "CONSOLE API", "createdTime": fake.now_ms(), "isPermanent": False}
    with fake.lock:
        stored = _stored(fake, {**created, **payload})
        if any(m.get("id") == stored["id"] for m in fake.state.metrics):
            raise error(400, f"Metric with name '{payload['name']}' already exists.")
        if not payload.get("dryRun"):
            fake.state.metrics.append(stored)
            fake.persist()
    return 201, {"message": "Metric created successfully.", "data": stored}


def _update(fake: StandIn, metric_id: str, body: Any) -> Answer:
    payload = _validate(fake, "MetricsUpdateContractDto", body)
    with fake.lock:
        current = existing(fake, metric_id)
        if "name" in payload and payload["name"] != current["name"]:
            raise error(400, INVALID, [{"property": "name", "errorMessage": "cannot be changed"}])
        changes = {key: value for key, value in payload.items() if key != "owner"}
        if "owner" in payload:
            changes["owner"] = _owner(payload["owner"])
        stored = _stored(fake, {**current, **changes, "lastModifiedTime": fake.now_ms()})
        if not payload.get("dryRun"):
            fake.state.metrics = [stored if m.get("id") == metric_id else m for m in fake.state.metrics]
            fake.persist()
    return 200, {"message": "Metric updated successfully.", "data": stored}


def _owner(given: dict[str, str]) -> dict[str, str]:
    """MetricsUpdateContractDto's owner as ExternalMetricDefinitionContractDto answers it. Statsig would
    look the user up; the stand-in names them by what it was given (`name` is required there)."""
    who = given.get("email") or given.get("ownerID") or ""
    owner = {"name": who, "ownerName": who, "ownerType": "USER"}
    if "email" in given:
        owner["ownerEmail"] = given["email"]
    if "ownerID" in given:
        owner["ownerID"] = given["ownerID"]
    return owner


def _delete(fake: StandIn, metric_id: str) -> Answer:
    with fake.lock:
        existing(fake, metric_id)
        fake.state.metrics = [m for m in fake.state.metrics if m.get("id") != metric_id]
        fake.state.archive_scheduled.discard(metric_id)
        fake.persist()
    return 200, {"message": "Metric deleted successfully."}


ARCHIVING = {
    "schedule_archive": "Metric archive scheduled successfully for next day.",
    "cancel_archive": "Metric archival cancelled successfully.",
    "unarchive": "Metric unarchived successfully.",
}


def _archiving(fake: StandIn, metric_id: str, action: str) -> Answer:
    """The answers the documents give; the schedule is kept in the stand-in's state alone."""
    with fake.lock:
        existing(fake, metric_id)
        if action == "schedule_archive":
            fake.state.archive_scheduled.add(metric_id)
        else:
            fake.state.archive_scheduled.discard(metric_id)
    return 200, {"message": ARCHIVING[action]}
