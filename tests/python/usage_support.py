"""Seed metrics for the usage tests: simple, ratio, funnel, hidden and one on a hand-made source."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from manifest_fixtures import FIXTURES, run_results_document
from support import MARKER

from statsig_sources.standin import make_metric


def metric(name: str, aggregation: str, *, hidden: bool = False, **native: Any) -> dict[str, Any]:
    """A warehouse-native metric as Statsig lists it (ExternalMetricDefinitionContractDto)."""
    return make_metric(name, hidden=hidden, aggregation=aggregation, **native)


def criterion(column: str) -> dict[str, Any]:
    return {"type": "metadata", "column": column, "condition": "in", "values": ["x"]}


METRICS = [
    metric(
        "Purchase Revenue",
        "sum",
        metricSourceName="statsig_purchases",
        valueColumn="value",
        criteria=[criterion("country")],
        metricDimensionColumns=["country"],
        owner={"name": "Ada", "ownerName": "Ada", "ownerEmail": "ada@example.com"},
    ),
    metric(
        "Revenue per Session",
        "ratio",
        metricSourceName="statsig_purchases",
        valueColumn="value",
        denominatorMetricSourceName="sessions",
        denominatorValueColumn="session_count",
    ),
    metric(
        "Checkout Funnel",
        "funnel",
        funnelEvents=[
            {"name": "visit", "metricSourceName": "sessions", "criteria": [criterion("landing_page")]},
            {"name": "buy", "metricSourceName": "statsig_purchases", "criteria": [criterion("item_count")]},
        ],
    ),
    metric("Old Purchases", "count", hidden=True, metricSourceName="statsig_purchases"),
    metric("Hand-made Clicks", "count", metricSourceName="hand_made_clicks", valueColumn="clicks"),
    metric("Vanished", "count", metricSourceName="gone_source"),
]
REMOTE_SOURCES = [
    {"name": "hand_made_clicks", "tags": ["analytics"]},
    {"name": "statsig_purchases", "tags": [MARKER]},
]


def two_source_manifest(path: Path) -> Path:
    """postgres_production.json plus a second source model, `statsig_sessions` named `sessions`,
    and a third, `statsig_refunds`, that no metric uses; beside it the run results of the build."""
    data = json.loads((FIXTURES / "valid" / "postgres_production.json").read_text())
    base = data["nodes"]["model.shop.statsig_purchases"]
    for model, source_name in (("statsig_sessions", "sessions"), ("statsig_refunds", "refunds")):
        node = copy.deepcopy(base)
        node.update(name=model, alias=model, unique_id=f"model.shop.{model}")
        node["config"]["meta"]["statsig"]["source_name"] = source_name
        data["nodes"][node["unique_id"]] = node
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    (path.parent / "run_results.json").write_text(json.dumps(run_results_document(data)))
    return path
