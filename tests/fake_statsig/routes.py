"""The fake's endpoints: metric sources and the metric reads that usage needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from fake_statsig.schemas import problems

if TYPE_CHECKING:
    from fake_statsig.server import FakeStatsig

PREFIX = "/console/v1"
SOURCES = "/metrics/metric_source"


def _error(status: int, message: str, errors: list[dict[str, str]] | None = None) -> Any:
    from fake_statsig.server import _Reply

    body: dict[str, Any] = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    return _Reply(status, body)


def route(fake: FakeStatsig, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
    if not path.startswith(PREFIX + "/"):
        raise _error(404, f"Cannot {method} {path}")
    segments = [unquote(part) for part in path[len(PREFIX) + 1 :].split("/")]
    match (method, segments):
        case ("GET", ["metrics", "metric_source", "list"]):
            with fake.lock:
                items = list(fake.state.sources.values())
            return _page(path, query, items, "Metric sources listed successfully.")
        case ("POST", ["metrics", "metric_source"]):
            return _create(fake, body)
        case ("GET", ["metrics", "metric_source", name]):
            return 200, {"message": "Metric source read successfully.", "data": _existing(fake, name)}
        case ("POST", ["metrics", "metric_source", name]):
            return _update(fake, name, body)
        case ("DELETE", ["metrics", "metric_source", name]):
            return _delete(fake, name)
        case ("GET", ["metrics", "metric_source", name, "metrics"]):
            _existing(fake, name)
            return _page(path, query, _metrics_using(fake, name), "Metrics listed successfully.")
        case ("GET", ["metrics", "list"]):
            show_hidden = _flag(query.get("showHiddenMetrics", "false"), "showHiddenMetrics")
            with fake.lock:
                metrics = [m for m in fake.state.metrics if show_hidden or not m.get("isHidden")]
            return _page(path, query, metrics, "Metrics listed successfully.")
    raise _error(404, f"Cannot {method} {path}")


def _flag(value: str, name: str) -> bool:
    if value not in ("true", "false"):
        raise _error(400, "Invalid request.", [{"property": name, "errorMessage": "must be true or false"}])
    return value == "true"


def _positive(query: dict[str, str], key: str, default: int) -> int:
    raw = query.get(key)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise _error(
            400, "Invalid request.", [{"property": key, "errorMessage": "must be a positive integer"}]
        )
    return int(raw)


def _page(path: str, query: dict[str, str], items: list[Any], message: str) -> tuple[int, Any]:
    """Statsig's pagination: 1-based pages; nextPage/previousPage are path strings or null."""
    limit = _positive(query, "limit", 10)
    page = _positive(query, "page", 1)
    start = (page - 1) * limit
    chunk = items[start : start + limit]
    has_next = start + limit < len(items)
    pagination = {
        "itemsPerPage": limit,
        "pageNumber": page,
        "nextPage": f"{path}?page={page + 1}&limit={limit}" if has_next else None,
        "previousPage": f"{path}?page={page - 1}&limit={limit}" if page > 1 else None,
        "totalItems": len(items),
        "all": path,
    }
    return 200, {"message": message, "data": chunk, "pagination": pagination}


def _existing(fake: FakeStatsig, name: str) -> dict[str, Any]:
    with fake.lock:
        source = fake.state.sources.get(name)
    if source is None:
        raise _error(404, f"Metric source '{name}' not found.")
    return dict(source)


def _validate(fake: FakeStatsig, schema: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _error(400, "Invalid request. Please check the request input and try again.")
    found = problems(schema, body, strict=fake.strict)
    if fake.known_tags is not None:
        found += [
            {"property": "tags", "errorMessage": f"Tag '{tag}' does not exist."}
            for tag in body.get("tags") or ()
            if isinstance(tag, str) and tag not in fake.known_tags
        ]
    if found:
        raise _error(400, "Invalid request. Please check the request input and try again.", found)
    return body


def _create(fake: FakeStatsig, body: Any) -> tuple[int, Any]:
    payload = _validate(fake, "MetricSourceCreationContractDto", body)
    with fake.lock:
        if payload["name"] in fake.state.sources:
            raise _error(400, f"Metric source with name '{payload['name']}' already exists.")
        stored = fake._stored(payload)
        if not payload.get("dryRun"):
            fake.state.sources[payload["name"]] = stored
    return 201, {"message": "Metric source created successfully.", "data": stored}


def _update(fake: FakeStatsig, name: str, body: Any) -> tuple[int, Any]:
    payload = _validate(fake, "MetricSourceUpdateContractDto", body)
    if "name" in payload and payload["name"] != name:
        raise _error(400, "Invalid request.", [{"property": "name", "errorMessage": "cannot be changed"}])
    with fake.lock:
        stored = fake._stored({**_existing(fake, name), **payload, "name": name})
        if not payload.get("dryRun"):
            fake.state.sources[name] = stored
    return 200, {"message": "Metric source updated successfully.", "data": stored}


def _delete(fake: FakeStatsig, name: str) -> tuple[int, Any]:
    with fake.lock:
        _existing(fake, name)
        if _metrics_using(fake, name):
            # What Statsig does here is not documented; the fake refuses, the strictest reading.
            raise _error(400, f"Metric source '{name}' is used by metrics and cannot be deleted.")
        del fake.state.sources[name]
    return 200, {"message": "Metric source deleted successfully."}


def _metrics_using(fake: FakeStatsig, name: str) -> list[dict[str, Any]]:
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
    return {
        "id": f"{name}::user_warehouse",
        "name": name,
        "type": "user_warehouse",
        "directionality": "increase",
        "isHidden": hidden,
        "lineage": {"events": [], "metrics": []},
        "warehouseNative": native,
        **top,
    }
