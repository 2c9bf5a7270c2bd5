"""Metric sources: list, read, create, update (POST, not PUT), delete, and the metrics using one.

Whether an update leaves alone the fields it does not send is not documented. Its schema requires the
query and its mappings, as a replacement would, so the stand-in takes that strict reading: an update
replaces the whole source, and a field it leaves out goes back to Statsig's default (the defaults a
create fills in). A client that does not send back what it means to keep loses it here first.
"""

from __future__ import annotations

from typing import Any

from statsig_sources.standin.envelope import INVALID, error, page
from statsig_sources.standin.schemas import problems
from statsig_sources.standin.service import StandIn

Answer = tuple[int, Any]


def route(
    fake: StandIn, method: str, rest: list[str], path: str, query: dict[str, list[str]], body: Any
) -> Answer | None:
    """`rest` is the path after `/metrics/metric_source`; None when nothing there answers `method`."""
    match (method, rest):
        case ("GET", ["list"]):
            with fake.lock:
                items = list(fake.state.sources.values())
            return page(fake.default_page_size, path, query, items, "Metric sources listed successfully.")
        case ("POST", []):
            return _create(fake, body)
        case ("GET", [name]):
            return 200, {"message": "Metric source read successfully.", "data": _existing(fake, name)}
        case ("POST", [name]):
            return _update(fake, name, body)
        case ("DELETE", [name]):
            return _delete(fake, name)
        case ("GET", [name, "metrics"]):
            _existing(fake, name)
            return page(
                fake.default_page_size, path, query, metrics_using(fake, name), "Metrics listed successfully."
            )
    return None


def metrics_using(fake: StandIn, name: str) -> list[dict[str, Any]]:
    """Metrics that read `name` as their source, their ratio's denominator or a funnel step."""

    def uses(metric: dict[str, Any]) -> bool:
        native = metric.get("warehouseNative") or {}
        steps = native.get("funnelEvents") or []
        return name in (
            native.get("metricSourceName"),
            native.get("denominatorMetricSourceName"),
            *(step.get("metricSourceName") for step in steps),
        )

    with fake.lock:
        return [metric for metric in fake.state.metrics if uses(metric)]


def _existing(fake: StandIn, name: str) -> dict[str, Any]:
    with fake.lock:
        source = fake.state.sources.get(name)
    if source is None:
        raise error(404, f"Metric source '{name}' not found.")
    return dict(source)


def _validate(fake: StandIn, schema: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise error(400, INVALID)
    found = problems(schema, body, strict=fake.strict)
    if fake.known_tags is not None:
        found += [
            {"property": "tags", "errorMessage": f"Tag '{tag}' does not exist."}
            for tag in body.get("tags") or ()
            if isinstance(tag, str) and tag not in fake.known_tags
        ]
    if found:
        raise error(400, INVALID, found)
    return body


def _create(fake: StandIn, body: Any) -> Answer:
    payload = _validate(fake, "MetricSourceCreationContractDto", body)
    with fake.lock:
        if payload["name"] in fake.state.sources:
            raise error(400, f"Metric source with name '{payload['name']}' already exists.")
        stored = fake.stored_source(payload)
        if not payload.get("dryRun"):
            fake.state.sources[payload["name"]] = stored
            fake.persist()
    return 201, {"message": "Metric source created successfully.", "data": stored}


def _update(fake: StandIn, name: str, body: Any) -> Answer:
    payload = _validate(fake, "MetricSourceUpdateContractDto", body)
    if "name" in payload and payload["name"] != name:
        raise error(400, "Invalid request.", [{"property": "name", "errorMessage": "cannot be changed"}])
    with fake.lock:
        _existing(fake, name)
        stored = fake.stored_source({**payload, "name": name})
        if not payload.get("dryRun"):
            fake.state.sources[name] = stored
            fake.persist()
    return 200, {"message": "Metric source updated successfully.", "data": stored}


def _delete(fake: StandIn, name: str) -> Answer:
    with fake.lock:
        _existing(fake, name)
        if metrics_using(fake, name):
            # What Statsig does here is not documented; the stand-in refuses, the strictest reading.
            raise error(400, f"Metric source '{name}' is used by metrics and cannot be deleted.")
        del fake.state.sources[name]
        fake.persist()
    return 200, {"message": "Metric source deleted successfully."}
