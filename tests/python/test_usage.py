"""Metric usage: the pure join of metrics with managed sources, and its three renderings."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from exposure_meta import statsig_metric
from support import MARKER
from usage_support import METRICS, REMOTE_SOURCES, criterion, metric

from statsig_sources.usage.exposures import exposures_yaml
from statsig_sources.usage.join import ManagedSource, build_usage, parse_metric
from statsig_sources.usage.report import render_json, render_markdown, render_text

SOURCES = (
    ManagedSource("refunds", "statsig_refunds", "model.shop.statsig_refunds"),
    ManagedSource("sessions", "statsig_sessions", "model.shop.statsig_sessions"),
    ManagedSource("statsig_purchases", "statsig_purchases", "model.shop.statsig_purchases"),
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            metric("m", "sum", metricSourceName="s", valueColumn="v", criteria=[criterion("c")]),
            [("s", ("metricSourceName",), ("c", "v"))],
        ),
        (
            metric("m", "mean", metricSourceName="s", metricDimensionColumns=["d1", "d2"]),
            [("s", ("metricSourceName",), ("d1", "d2"))],
        ),
        (
            metric(
                "m",
                "ratio",
                metricSourceName="a",
                valueColumn="v",
                denominatorMetricSourceName="b",
                denominatorValueColumn="w",
                denominatorCriteria=[criterion("k")],
            ),
            [("a", ("metricSourceName",), ("v",)), ("b", ("denominatorMetricSourceName",), ("k", "w"))],
        ),
        (
            metric(
                "m",
                "ratio",
                metricSourceName="a",
                valueColumn="v",
                denominatorMetricSourceName="a",
                denominatorValueColumn="w",
            ),
            [("a", ("metricSourceName", "denominatorMetricSourceName"), ("v", "w"))],
        ),
        (
            metric(
                "m",
                "funnel",
                funnelEvents=[
                    {"metricSourceName": "b", "criteria": [criterion("x")]},
                    {"metricSourceName": "a"},
                    {"metricSourceName": "b", "criteria": [criterion("y")]},
                ],
            ),
            [("a", ("funnelEvents[2]",), ()), ("b", ("funnelEvents[1]", "funnelEvents[3]"), ("x", "y"))],
        ),
    ],
    ids=["simple-value-and-criteria", "dimensions", "ratio-two-sources", "ratio-one-source", "funnel"],
)
def test_metric_reads_columns_from_each_source_it_names(raw: dict[str, Any], expected: list[Any]) -> None:
    parsed = parse_metric(raw)
    assert parsed is not None
    assert [(ref.source, ref.via, ref.columns) for ref in parsed.refs] == expected


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "e::event_count", "name": "e", "type": "event_count"},
        metric("m", "count"),
        metric("m", "count", metricSourceName=""),
    ],
    ids=["not-warehouse-native", "no-source", "empty-source-name"],
)
def test_metric_without_a_source_is_ignored(raw: dict[str, Any]) -> None:
    assert parse_metric(raw) is None


def test_usage_lists_metrics_per_source_unused_sources_and_dangling_metrics() -> None:
    usage = build_usage(SOURCES, METRICS, REMOTE_SOURCES, MARKER)
    assert [(e.source.name, [m.name for m in e.metrics]) for e in usage.sources] == [
        ("refunds", []),
        ("sessions", ["Checkout Funnel", "Revenue per Session"]),
        (
            "statsig_purchases",
            ["Checkout Funnel", "Old Purchases", "Purchase Revenue", "Revenue per Session"],
        ),
    ]
    assert usage.unused == ("refunds",)
    assert [(d.metric.name, d.sources) for d in usage.dangling] == [
        ("Hand-made Clicks", (("hand_made_clicks", "unmanaged"),)),
        ("Vanished", (("gone_source", "missing"),)),
    ]
    assert usage.metric_count == 6


def test_dangling_metric_on_a_marked_source_that_left_dbt_is_orphaned() -> None:
    usage = build_usage(SOURCES[:1], METRICS[:1], REMOTE_SOURCES, MARKER)
    assert usage.dangling[0].sources == (("statsig_purchases", "orphaned"),)


USAGE = build_usage(SOURCES, METRICS, REMOTE_SOURCES, MARKER)

TEXT = """\
Statsig metric usage: 3 managed source(s), 2 used, 1 unused; 6 metric(s), 2 dangling.

source             model              metric                  aggregation  columns
refunds            statsig_refunds    -
sessions           statsig_sessions   Checkout Funnel         funnel       landing_page
sessions           statsig_sessions   Revenue per Session     ratio        session_count
statsig_purchases  statsig_purchases  Checkout Funnel         funnel       item_count
statsig_purchases  statsig_purchases  Old Purchases (hidden)  count
statsig_purchases  statsig_purchases  Purchase Revenue        sum          country, value
statsig_purchases  statsig_purchases  Revenue per Session     ratio        value

Unused sources: refunds

Dangling metrics (their sources are not managed by dbt):
  Hand-made Clicks [Hand-made Clicks::user_warehouse] -> hand_made_clicks (unmanaged)
  Vanished [Vanished::user_warehouse] -> gone_source (missing)
"""

MARKDOWN = """\
### Statsig metric usage

3 managed source(s), 2 used, 1 unused; 6 metric(s), 2 dangling.

| source | model | metric | aggregation | columns |
|---|---|---|---|---|
| `refunds` | `statsig_refunds` | - |  |  |
| `sessions` | `statsig_sessions` | Checkout Funnel | funnel | landing_page |
| `sessions` | `statsig_sessions` | Revenue per Session | ratio | session_count |
| `statsig_purchases` | `statsig_purchases` | Checkout Funnel | funnel | item_count |
| `statsig_purchases` | `statsig_purchases` | Old Purchases (hidden) | count |  |
| `statsig_purchases` | `statsig_purchases` | Purchase Revenue | sum | country, value |
| `statsig_purchases` | `statsig_purchases` | Revenue per Session | ratio | value |

**Unused sources:** `refunds`

**Dangling metrics** (their sources are not managed by dbt):

- Hand-made Clicks → hand_made_clicks (unmanaged)
- Vanished → gone_source (missing)
"""


@pytest.mark.parametrize(("render", "expected"), [(render_text, TEXT), (render_markdown, MARKDOWN)])
def test_usage_renders_exactly(render: Any, expected: str) -> None:
    assert render(USAGE) == expected


def test_usage_json_has_sources_unused_and_dangling() -> None:
    import json

    data = json.loads(render_json(USAGE))
    assert list(data) == ["sources", "unused", "dangling"]
    assert data["sources"][1] == {
        "name": "sessions",
        "model": "statsig_sessions",
        "metrics": [
            {
                "id": "Checkout Funnel::user_warehouse",
                "name": "Checkout Funnel",
                "aggregation": "funnel",
                "hidden": False,
                "managed_as_code": False,
                "columns": ["landing_page"],
                "via": ["funnelEvents[1]"],
            },
            {
                "id": "Revenue per Session::user_warehouse",
                "name": "Revenue per Session",
                "aggregation": "ratio",
                "hidden": False,
                "managed_as_code": False,
                "columns": ["session_count"],
                "via": ["denominatorMetricSourceName"],
            },
        ],
    }
    assert data["unused"] == ["refunds"]
    assert data["dangling"][1] == {
        "id": "Vanished::user_warehouse",
        "name": "Vanished",
        "aggregation": "count",
        "hidden": False,
        "managed_as_code": False,
        "sources": [{"name": "gone_source", "reason": "missing"}],
    }


def test_a_metric_with_this_projects_marker_is_marked_as_managed_as_code() -> None:
    declared = {**metric("Order revenue", "sum", metricSourceName="refunds"), "tags": ["revenue", MARKER]}
    other = {**metric("By hand", "count", metricSourceName="refunds"), "tags": [f"{MARKER}-not"]}
    usage = build_usage(SOURCES, [declared, other], [], MARKER)
    [refunds] = [entry for entry in usage.sources if entry.source.name == "refunds"]
    assert [(m.name, m.as_code) for m in refunds.metrics] == [("By hand", False), ("Order revenue", True)]
    rows = [" ".join(line.split()) for line in render_text(usage).splitlines() if line.startswith("refunds")]
    assert rows == [
        "refunds statsig_refunds By hand count",
        "refunds statsig_refunds Order revenue (as code) sum",
    ]
    listed = json.loads(render_json(usage))["sources"][0]["metrics"]
    assert [(m["name"], m["managed_as_code"]) for m in listed] == [
        ("By hand", False),
        ("Order revenue", True),
    ]
    exposures = yaml.safe_load(exposures_yaml(usage))["exposures"]
    assert {e["label"]: statsig_metric(e)["managed_as_code"] for e in exposures} == {
        "By hand": False,
        "Order revenue": True,
    }
