"""The pure parts of reload: which sources a run changed (walking upstream), which experiments use the
affected metrics, which load counts as done, and which refresh is asked for."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from project_support import load_project
from reload_support import manifest_document, write_run
from usage_support import metric

from statsig_sources.artifacts.lineage import rebuilt_upstream
from statsig_sources.declaration.settings import Settings
from statsig_sources.reload.changes import changes_from_run, selected_changes
from statsig_sources.reload.history import created_at, describe, load_since, new_loads, unreadable
from statsig_sources.reload.plan import refresh_for
from statsig_sources.reload.targets import AffectedMetric, experiment_targets
from statsig_sources.usage.join import parse_metric

FINISHED = datetime(2026, 5, 20, 10, 0, 5, tzinfo=timezone.utc)
FINISHED_MS = FINISHED.timestamp() * 1000


@pytest.mark.parametrize(
    ("graph", "succeeded", "expected"),
    [
        ({"s": ("a",), "a": ("b",)}, {"b"}, ("b",)),
        ({"s": ("a", "b"), "a": ("c",), "b": ("c",)}, {"a", "c"}, ("a", "c")),
        ({"s": ("a",), "a": ("b",)}, {"a", "b"}, ("a",)),
        ({"s": ("a",), "a": ("s",)}, set(), ()),
        ({"s": ("missing",)}, {"elsewhere"}, ()),
    ],
    ids=["through-a-view", "diamond-nearest-on-each-path", "stops-at-the-nearest", "cycle", "unknown-parent"],
)
def test_rebuilt_upstream_finds_the_nearest_rebuilt_nodes(
    graph: dict[str, tuple[str, ...]], succeeded: set[str], expected: tuple[str, ...]
) -> None:
    views = {"a", "b", "c", "s"}
    assert rebuilt_upstream("s", graph, succeeded, views) == expected


@pytest.mark.parametrize(
    ("transparent", "expected"),
    [({"view", "table"}, ("seed",)), ({"view"}, ()), (set(), ())],
    ids=["all-views", "a-table-between", "the-source-reads-a-table"],
)
def test_rebuilt_upstream_stops_at_a_node_that_stores_data_and_was_not_rebuilt(
    transparent: set[str], expected: tuple[str, ...]
) -> None:
    """source -> view -> table -> seed: a rebuilt seed changes the source only if the table between
    them stores no data (as if it were a view); a table keeps its rows until it is rebuilt itself."""
    graph = {"source": ("view",), "view": ("table",), "table": ("seed",)}
    assert rebuilt_upstream("source", graph, {"seed"}, transparent) == expected


def project_with(tmp_path: Path, statuses: dict[str, str], change: Any = None) -> Any:
    data = manifest_document()
    if change is not None:
        change(data)
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text(json.dumps(data))
    write_run(tmp_path, data, statuses)
    return load_project(tmp_path / "target" / "manifest.json", Settings())


def _ephemeral_between_a_seed_and_clicks(data: dict[str, Any]) -> None:
    fct = data["nodes"]["model.shop.fct_clicks"]
    fct["config"]["materialized"] = "ephemeral"
    fct["depends_on"] = {"nodes": ["seed.shop.raw_clicks"]}
    data["nodes"]["seed.shop.raw_clicks"] = {
        **data["nodes"]["model.shop.fct_purchases"],
        "unique_id": "seed.shop.raw_clicks",
        "resource_type": "seed",
        "name": "raw_clicks",
        "depends_on": {"nodes": []},
    }


def test_a_seed_upstream_counts_through_an_ephemeral_model_and_tests_never_do(tmp_path: Path) -> None:
    statuses = {
        "seed.shop.raw_clicks": "success",
        "test.shop.not_null_fct_purchases_user_id.abc": "pass",
        "model.shop.statsig_sessions": "skipped",
    }
    project = project_with(tmp_path, statuses, _ephemeral_between_a_seed_and_clicks)
    changes = changes_from_run(project)
    assert [(c.name, c.reason, c.upstream) for c in changes.sources] == [
        ("clicks", "upstream", ("seed.shop.raw_clicks",)),
        ("sessions", "skipped", ()),
    ]


def test_a_source_whose_own_build_failed_is_not_changed_even_when_upstream_was(tmp_path: Path) -> None:
    project = project_with(
        tmp_path, {"model.shop.fct_refunds": "success", "model.shop.statsig_refunds": "error"}
    )
    [refunds] = changes_from_run(project).sources
    assert (refunds.name, refunds.changed, refunds.upstream) == ("refunds", False, ())


def test_select_takes_statsig_names_or_model_names_once_each(tmp_path: Path) -> None:
    project = project_with(tmp_path, {})
    changes = selected_changes(project, ["statsig_sessions", "sessions", "clicks"])
    assert [(c.name, c.model, c.reason) for c in changes.sources] == [
        ("clicks", "statsig_clicks", "selected"),
        ("sessions", "statsig_sessions", "selected"),
    ]
    assert changes.results is None and changes.finished is None


@pytest.mark.parametrize(
    ("loads", "expected"),
    [
        ([], None),
        ([{"createdTime": FINISHED_MS - 1, "finishedState": "success"}], None),
        ([{"createdTime": FINISHED_MS, "finishedState": "success"}], FINISHED_MS),
        ([{"createdTime": FINISHED_MS + 5, "finishedState": "failure"}], None),
        (
            [{"createdTime": FINISHED_MS + 5}, {"createdTime": FINISHED_MS + 9, "finishedState": "success"}],
            FINISHED_MS + 9,
        ),
        ([{"createdTime": FINISHED.timestamp() + 60, "finishedState": "success"}], FINISHED.timestamp() + 60),
    ],
    ids=["none", "before", "at-the-end", "failed", "newest-of-two", "seconds"],
)
def test_load_since_is_the_newest_load_after_the_run_that_did_not_fail(
    loads: list[dict[str, Any]], expected: float | None
) -> None:
    found = load_since(loads, FINISHED)
    assert (found["createdTime"] if found else None) == expected


def test_created_at_reads_milliseconds_and_seconds() -> None:
    assert (
        created_at({"createdTime": FINISHED_MS})
        == FINISHED
        == created_at({"createdTime": FINISHED.timestamp()})
    )


@pytest.mark.parametrize(
    "value",
    [1e20, -1e15, -1, math.nan, math.inf, -math.inf, 10**400, True, "1716230400000", None],
    ids=["1e20", "-1e15", "negative", "nan", "inf", "-inf", "huge-int", "bool", "text", "null"],
)
def test_no_created_time_ends_in_an_exception(value: Any) -> None:
    load = {"createdTime": value, "finishedState": "success"}
    assert created_at(load) is None
    assert unreadable([{"createdTime": 1779271205000}, load]).startswith("load 2's createdTime is ")
    assert load_since([load], datetime(1970, 1, 1, tzinfo=timezone.utc)) is None
    assert describe(load) == f"a result load created at {value!r} (success)"
    assert new_loads([load], []) == [load] and new_loads([load], [dict(load)]) == []


def affected(*metrics: dict[str, Any]) -> dict[str, AffectedMetric]:
    parsed = [parse_metric(raw) for raw in metrics]
    return {m.id: AffectedMetric(m, ("orders",)) for m in parsed if m is not None}


def test_experiments_match_by_id_and_by_primary_or_secondary_tag_and_only_when_running() -> None:
    revenue = {**metric("Revenue", "sum", metricSourceName="orders"), "tags": ["money"]}
    refunds = metric("Refunds", "sum", metricSourceName="refunds")
    experiments = [
        {"id": "by_id", "status": "active", "otherMetrics": [{"name": "Revenue", "type": "user_warehouse"}]},
        {"id": "by_tag", "status": "active", "secondaryMetricTags": ["money"]},
        {"id": "other_type", "status": "active", "primaryMetrics": [{"name": "Revenue", "type": "sum"}]},
        {"id": "stopped", "status": "abandoned", "primaryMetricTags": ["money"]},
        {"id": "held", "status": "active", "primaryMetrics": [{"name": "Refunds", "type": "user_warehouse"}]},
    ]
    targets = experiment_targets(experiments, affected(revenue), affected(refunds))
    assert [(t.experiment_id, t.metric_ids, t.held_back) for t in targets] == [
        ("by_id", ("Revenue::user_warehouse",), ()),
        ("by_tag", ("Revenue::user_warehouse",), ()),
        ("held", (), ("Refunds::user_warehouse",)),
    ]


@pytest.mark.parametrize(
    ("forced", "full_refresh", "expected"),
    [
        (None, False, ("metric", "only the metrics that read the rebuilt sources")),
        (None, True, ("full", "`dbt build` rebuilt with --full-refresh")),
        ("incremental", True, ("incremental", "--refresh incremental")),
    ],
)
def test_refresh_is_forced_inferred_from_a_full_refresh_or_only_the_metrics(
    tmp_path: Path, forced: str | None, full_refresh: bool, expected: tuple[str, str]
) -> None:
    data = manifest_document()
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text(json.dumps(data))
    write_run(tmp_path, data, {"model.shop.statsig_clicks": "success"}, full_refresh=full_refresh)
    changes = changes_from_run(load_project(tmp_path / "target" / "manifest.json", Settings()))
    refresh = refresh_for(forced, changes)
    assert (refresh.mode, refresh.reason) == expected


def test_the_forced_refresh_modes_are_load_pulses_modes_but_metric() -> None:
    from statsig_sources.commands.reload import FORCED_MODES
    from statsig_sources.statsig.experiments import REFRESH_MODES

    assert FORCED_MODES == tuple(mode for mode in REFRESH_MODES if mode != "metric")
