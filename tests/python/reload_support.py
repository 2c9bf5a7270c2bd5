"""A project for the reload tests: four metric sources, each over its own upstream table, a run that
rebuilt some of them, and the Statsig metrics and experiments that read them.

    source (model)                  upstream        in the run
    purchases (statsig_purchases)   fct_purchases   both built            -> changed (built)
    sessions (statsig_sessions)     fct_sessions    only fct_sessions     -> changed (upstream)
    refunds (statsig_refunds)       fct_refunds     statsig_refunds error -> named, not reloaded
    clicks (statsig_clicks)         fct_clicks      neither               -> unchanged
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from manifest_fixtures import FIXTURES, run_results_document
from usage_support import metric

from statsig_sources.standin import FakeStatsig

SOURCES = {"purchases": "statsig_purchases", "sessions": "statsig_sessions"}
SOURCES |= {"refunds": "statsig_refunds", "clicks": "statsig_clicks"}
UPSTREAM = {model: "fct_" + model.removeprefix("statsig_") for model in SOURCES.values()}
# The run: `dbt build` of purchases and its upstream, of fct_sessions alone, and a failing refunds.
RUN = {
    "model.shop.fct_purchases": "success",
    "model.shop.statsig_purchases": "success",
    "model.shop.fct_sessions": "success",
    "model.shop.fct_refunds": "success",
    "model.shop.statsig_refunds": "error",
    "test.shop.not_null_fct_purchases_user_id.abc": "pass",
}
REFUNDS_ERROR = (
    'Database Error in model statsig_refunds\n  column "refunded_at" does not exist\n  > in macro x'
)
GENERATED_AT = "2026-05-20T10:00:05.000000Z"

METRICS = [
    metric("Purchase Revenue", "sum", metricSourceName="purchases", valueColumn="value"),
    metric(
        "Items per Session",
        "ratio",
        metricSourceName="clicks",
        valueColumn="value",
        denominatorMetricSourceName="sessions",
        denominatorValueColumn="value",
    ),
    metric("Hidden Purchases", "count", hidden=True, metricSourceName="purchases"),
    {**metric("Tagged Orders", "count", metricSourceName="purchases"), "tags": ["core"]},
    metric("Refund Rate", "mean", metricSourceName="refunds", valueColumn="value"),
    metric("Clicks", "count", metricSourceName="clicks"),
]


def refs(*names: str) -> list[dict[str, str]]:
    return [{"name": name, "type": "user_warehouse"} for name in names]


EXPERIMENTS = [
    {"id": "exp_revenue", "primaryMetrics": refs("Purchase Revenue"), "secondaryMetrics": refs("Clicks")},
    {"id": "exp_ratio", "primaryMetrics": refs("Items per Session")},
    {"id": "exp_tagged", "primaryMetricTags": ["core"], "secondaryMetrics": refs("Refund Rate")},
    {"id": "exp_hidden", "otherMetrics": refs("Hidden Purchases")},
    {"id": "exp_clicks", "primaryMetrics": refs("Clicks")},
    {"id": "exp_refunds", "primaryMetrics": refs("Refund Rate")},
    {"id": "exp_stopped", "status": "decision_made", "primaryMetrics": refs("Purchase Revenue")},
]
# What a reload after RUN asks for: experiment -> the metric ids it loads.
EXPECTED_LOADS = {
    "exp_hidden": ["Hidden Purchases::user_warehouse"],
    "exp_ratio": ["Items per Session::user_warehouse"],
    "exp_revenue": ["Purchase Revenue::user_warehouse"],
    "exp_tagged": ["Tagged Orders::user_warehouse"],
}


def manifest_document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "valid" / "postgres_production.json").read_text())
    base = data["nodes"]["model.shop.statsig_purchases"]
    table = data["nodes"]["model.shop.fct_purchases"]
    for source_name, model in SOURCES.items():
        node = copy.deepcopy(base)
        node.update(name=model, alias=model, unique_id=f"model.shop.{model}")
        node["config"]["meta"]["statsig"]["source_name"] = source_name
        node["depends_on"] = {"nodes": [f"model.shop.{UPSTREAM[model]}"]}
        upstream = copy.deepcopy(table)
        upstream.update(
            name=UPSTREAM[model], alias=UPSTREAM[model], unique_id=f"model.shop.{UPSTREAM[model]}"
        )
        data["nodes"][node["unique_id"]] = node
        data["nodes"][upstream["unique_id"]] = upstream
    return data


def write_project(
    directory: Path, statuses: dict[str, str] | None = None, *, run_results: bool = True, **run: Any
) -> Path:
    """target/manifest.json and, unless told not to, the run results of `statuses` (default: RUN)."""
    target = directory / "target"
    target.mkdir(parents=True, exist_ok=True)
    data = manifest_document()
    (target / "manifest.json").write_text(json.dumps(data))
    if run_results:
        write_run(directory, data, statuses, **run)
    return directory


def write_run(
    directory: Path,
    data: dict[str, Any] | None = None,
    statuses: dict[str, str] | None = None,
    *,
    full_refresh: bool = False,
    **run: Any,
) -> None:
    document = run_results_document(
        data or manifest_document(), dict(statuses or RUN), generated_at=GENERATED_AT, **run
    )
    for result in document["results"]:
        if result["status"] == "error":
            result["message"] = REFUNDS_ERROR
    document["args"]["full_refresh"] = full_refresh
    (directory / "target" / "run_results.json").write_text(json.dumps(document))


def seed_statsig(fake: FakeStatsig) -> None:
    fake.seed_metrics(METRICS)
    fake.seed_experiments(EXPERIMENTS)


def loads(fake: FakeStatsig) -> dict[str, tuple[str, list[str]]]:
    """experiment -> (refresh, metric ids) of every load the stand-in accepted."""
    return {load.experiment_id: (load.refresh, list(load.metric_ids)) for load in fake.loads}
