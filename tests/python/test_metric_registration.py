"""plan and apply for metrics declared as code, end to end against the loopback stand-in: ordering with
their sources, the marker, field-level diffs, adoption, prune, idempotence, an interrupted apply, and
the breaking-change guard judging declared metrics as declared."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from support import MARKER, source

from statsig_sources.registration.apply import ApplyResult, Status, actionable, apply_plan, planned_writes
from statsig_sources.registration.impact import guard_plan
from statsig_sources.registration.plan import Action, FieldChange, Kind, Plan, build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.registration.report import render_text
from statsig_sources.standin import FakeStatsig, Fault, make_metric
from statsig_sources.statsig.api import ApiError, StatsigClient
from statsig_sources.support.errors import ExitCode, RemoteError


def metric(name: str, on: str = "orders", **native: Any) -> dict[str, Any]:
    """A desired metric payload, as registration/metrics.py builds it (the marker is added by the plan)."""
    top = {key: native.pop(key) for key in ("owner", "description", "tags") if key in native}
    body = {"name": name, "type": "user_warehouse", "directionality": "increase", "isReadOnly": True, **top}
    body["warehouseNative"] = {
        "aggregation": "sum",
        "metricSourceName": on,
        "valueColumn": "value",
        "criteria": [],
        "metricDimensionColumns": [],
        **native,
    }
    return body


ORDERS = source("orders", sql="select user_id, ts, value, status from statsig_staging.orders")
COMPLETED = [{"type": "metadata", "column": "status", "condition": "in", "values": ["completed"]}]


def make_plan(
    client: StatsigClient,
    sources: Sequence[dict[str, Any]],
    metrics: Sequence[dict[str, Any]],
    adopt: set[str] | None = None,
) -> Plan:
    return build_plan(
        sources,
        client.list_sources(),
        MARKER,
        adopt or set(),
        metrics=metrics,
        remote_metrics=client.list_metrics(),
    )


def run(
    client: StatsigClient,
    sources: Sequence[dict[str, Any]],
    metrics: Sequence[dict[str, Any]],
    **options: Any,
) -> ApplyResult:
    adopt = options.pop("adopt", None)
    return apply_plan(make_plan(client, sources, metrics, adopt), client, **options)


def statuses(result: ApplyResult) -> list[tuple[str, str, Action, Status]]:
    return [(o.kind.value, o.name, o.action, o.status) for o in result.outcomes]


def mutations(fake: FakeStatsig) -> list[str]:
    return [f"{r.method} {r.path.removeprefix('/console/v1')}" for r in fake.requests if r.method != "GET"]


def test_a_new_source_and_its_new_metric_are_created_in_one_apply_source_first(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    result = run(client, [ORDERS], [metric("Order revenue", criteria=COMPLETED)])
    assert statuses(result) == [
        ("source", "orders", Action.CREATE, Status.DONE),
        ("metric", "Order revenue", Action.CREATE, Status.DONE),
    ]
    assert mutations(fake) == ["POST /metrics/metric_source", "POST /metrics"]
    stored = fake.metrics["Order revenue::user_warehouse"]
    assert stored["tags"] == [MARKER] and stored["isReadOnly"] is True
    assert stored["warehouseNative"]["criteria"] == COMPLETED
    assert result.exit_code is ExitCode.OK and result.writes == 2


def test_apply_writes_sources_first_whatever_order_the_plan_lists(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    """The order matters: Statsig (and the stand-in) will not create a metric on a source it lacks."""
    client = make_client()
    with pytest.raises(ApiError, match="Metric source 'orders' not found"):
        client.create_metric(managed_payload(metric("Order revenue"), MARKER))
    plan = make_plan(client, [ORDERS], [metric("Order revenue")])
    metrics_first = Plan(plan.marker, tuple(sorted(plan.items, key=lambda item: item.kind is Kind.SOURCE)))
    result = apply_plan(metrics_first, client)
    assert [(o.kind, o.status) for o in result.outcomes] == [
        (Kind.SOURCE, Status.DONE),
        (Kind.METRIC, Status.DONE),
    ]


def test_a_second_apply_writes_nothing(fake: FakeStatsig, make_client: Callable[..., StatsigClient]) -> None:
    desired = [metric("Order revenue", criteria=COMPLETED, owner={"email": "growth@example.com"})]
    client = make_client()
    plan = make_plan(client, [ORDERS], desired)
    first = apply_plan(plan, client)
    assert first.writes == 3  # the source, the metric, and the owner (only an update sets one)
    assert planned_writes(actionable(plan)) == 3  # what apply extends its deadline for
    before = fake.mutations
    plan = make_plan(client, [ORDERS], desired)
    assert plan.counts(Kind.METRIC)["unchanged"] == 1 and not plan.has_changes
    assert apply_plan(plan, client).outcomes == () and fake.mutations == before


def test_a_changed_metric_is_updated_field_by_field(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    run(client, [ORDERS], [metric("Order revenue")])
    changed = metric(
        "Order revenue", criteria=COMPLETED, metricDimensionColumns=["status"], description="Paid."
    )
    plan = make_plan(client, [ORDERS], [changed])
    [item] = plan.of(Action.UPDATE, Kind.METRIC)
    assert item.changes == (
        FieldChange("description", "", "Paid."),
        FieldChange("warehouseNative.criteria", [], COMPLETED),
        FieldChange("warehouseNative.metricDimensionColumns", [], ["status"]),
    )
    result = apply_plan(plan, client)
    assert statuses(result) == [("metric", "Order revenue", Action.UPDATE, Status.DONE)]
    assert mutations(fake)[-1] == "POST /metrics/Order%20revenue%3A%3Auser_warehouse"
    assert make_plan(client, [ORDERS], [changed]).has_changes is False


def test_what_statsig_fills_in_or_reorders_is_no_change(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    two = [*COMPLETED, {"type": "metadata", "column": "value", "condition": ">", "values": ["0"]}]
    desired = metric("Order revenue", criteria=two, tags=["b", "a"], owner={"email": "growth@example.com"})
    stored = managed_payload(metric("Order revenue", criteria=two[::-1], tags=["a", "b"]), MARKER)
    stored["warehouseNative"]["cap"] = 100  # a field we do not set
    owner = {"name": "Growth", "ownerEmail": "growth@example.com", "ownerID": "u1", "ownerType": "USER"}
    fake.seed_metrics(
        [
            make_metric("Order revenue", **{**stored["warehouseNative"], "owner": owner})
            | {key: value for key, value in stored.items() if key not in ("warehouseNative", "type")}
        ]
    )
    assert make_plan(make_client(), [ORDERS], [desired]).has_changes is False


def test_a_hand_made_metric_is_blocked_until_adopted(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    fake.seed_metrics([make_metric("Order revenue", "orders", valueColumn="amount", tags=["manual"])])
    client = make_client()
    blocked = run(client, [ORDERS], [metric("Order revenue")])
    assert statuses(blocked) == [("metric", "Order revenue", Action.BLOCKED, Status.BLOCKED)]
    assert blocked.outcomes[0].message == (
        f"a metric named 'Order revenue' exists in Statsig without the marker '{MARKER}'; "
        "pass --adopt 'Order revenue' to manage it"
    )
    assert blocked.exit_code is ExitCode.FINDINGS and fake.mutations == 0
    adopted = run(client, [ORDERS], [metric("Order revenue")], adopt={"Order revenue"})
    assert statuses(adopted) == [("metric", "Order revenue", Action.UPDATE, Status.DONE)]
    stored = fake.metrics["Order revenue::user_warehouse"]
    assert stored["tags"] == [MARKER] and stored["warehouseNative"]["valueColumn"] == "value"


def test_a_metric_reading_a_blocked_source_is_blocked_too(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([source("orders", tags=["manual"])])
    plan = make_plan(make_client(), [ORDERS], [metric("Order revenue")])
    assert [(item.kind, item.action, item.reason) for item in plan.of(Action.BLOCKED)][1:] == [
        (Kind.METRIC, Action.BLOCKED, "reads source `orders`, which is blocked")
    ]


def test_a_metric_left_dbt_is_kept_until_pruned_then_deleted_before_its_source(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    run(client, [ORDERS, source("refunds")], [metric("Order revenue"), metric("Refunds", on="refunds")])
    kept = run(client, [ORDERS], [metric("Order revenue")])
    assert statuses(kept) == [
        ("metric", "Refunds", Action.ORPHANED, Status.KEPT),
        ("source", "refunds", Action.ORPHANED, Status.KEPT),
    ]
    before = fake.mutations
    pruned = run(client, [ORDERS], [metric("Order revenue")], prune=True)
    assert statuses(pruned) == [
        ("metric", "Refunds", Action.ORPHANED, Status.DONE),
        ("source", "refunds", Action.ORPHANED, Status.DONE),
    ]
    assert mutations(fake)[before:] == [
        "DELETE /metrics/Refunds%3A%3Auser_warehouse",
        "DELETE /metrics/metric_source/refunds",
    ]
    assert sorted(fake.metrics) == ["Order revenue::user_warehouse"] and sorted(fake.sources) == ["orders"]


def test_prune_keeps_a_metric_an_experiment_uses(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    run(client, [ORDERS], [metric("Order revenue")])
    fake.seed_experiments(
        [{"id": "checkout", "primaryMetrics": [{"name": "Order revenue", "type": "user_warehouse"}]}]
    )
    result = run(client, [ORDERS], [], prune=True)
    assert statuses(result) == [("metric", "Order revenue", Action.ORPHANED, Status.BLOCKED)]
    assert result.outcomes[0].message == "not deleted: used by 1 experiment(s): checkout"
    assert "Order revenue::user_warehouse" in fake.metrics


def test_prune_keeps_a_metric_that_lost_the_marker_meanwhile(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    run(client, [ORDERS], [metric("Order revenue")])
    plan = make_plan(client, [ORDERS], [])
    fake.state.metrics[0]["tags"] = ["manual"]  # taken over by hand between plan and apply
    result = apply_plan(plan, client, prune=True)
    assert [(o.status, o.message) for o in result.outcomes] == [
        (Status.BLOCKED, f"not deleted: it no longer carries the marker '{MARKER}'")
    ]


def test_an_interrupted_apply_converges_when_rerun(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    metrics = [metric(f"Metric {i}") for i in range(5)]

    def break_after_two(outcome: Any) -> None:
        if outcome.name == "Metric 1":
            # the next create takes effect but its answer is lost, and the run gives up there
            fake.inject(Fault("drop_after", method="POST"))

    with pytest.raises(RemoteError, match="Safe to rerun"):
        run(make_client(attempts=1), [ORDERS], metrics, on_outcome=break_after_two)
    assert sorted(fake.metrics) == [f"Metric {i}::user_warehouse" for i in range(3)]
    rerun = run(make_client(), [ORDERS], metrics)
    assert [o.name for o in rerun.outcomes] == ["Metric 3", "Metric 4"]
    assert rerun.exit_code is ExitCode.OK
    assert run(make_client(), [ORDERS], metrics).outcomes == ()


def test_a_create_whose_answer_was_lost_is_resolved_by_reading(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    fake.inject(Fault("drop_after", method="POST", path_contains="/metrics"))
    result = run(make_client(), [ORDERS], [metric("Order revenue")])
    assert statuses(result) == [("metric", "Order revenue", Action.CREATE, Status.DONE)]
    assert result.outcomes[0].message == "already existed with the marker (an earlier attempt)"
    assert len(fake.metrics) == 1 and result.writes == 1


def test_a_dry_run_skips_metrics_on_sources_it_only_validates(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    result = run(
        make_client(),
        [ORDERS, source("refunds")],
        [metric("Order revenue"), metric("Refunds", on="refunds")],
        dry_run=True,
    )
    assert [(o.name, o.status, o.message) for o in result.outcomes] == [
        ("refunds", Status.VALIDATED, ""),
        ("Order revenue", Status.VALIDATED, ""),
        ("Refunds", Status.SKIPPED, "not sent: its source `refunds` was only validated in a dry run"),
    ]
    assert fake.metrics == {} and result.writes == 0 and result.exit_code is ExitCode.OK


def test_a_metric_whose_source_failed_is_not_sent(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.known_tags = {"analytics", MARKER}
    refused = source("refunds", tags=["unknown-tag"])
    result = run(make_client(), [refused], [metric("Refunds", on="refunds")])
    assert [(o.name, o.status) for o in result.outcomes] == [
        ("refunds", Status.FAILED),
        ("Refunds", Status.FAILED),
    ]
    assert result.outcomes[1].message == "not sent: its source `refunds` was not written"
    assert mutations(fake) == ["POST /metrics/metric_source"]


def test_the_plan_lists_metrics_after_the_sources(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    run(client, [ORDERS], [metric("Order revenue"), metric("Old metric")])
    plan = make_plan(client, [ORDERS], [metric("Order revenue", criteria=COMPLETED), metric("New metric")])
    assert render_text(plan) == (
        f"Statsig metric sources (marker {MARKER}): 0 to create, 0 to update, 1 unchanged, 0 orphaned, "
        "0 blocked.\n"
        f"Statsig metrics (marker {MARKER}): 1 to create, 1 to update, 0 unchanged, 1 orphaned, 0 blocked.\n"
        "~ update Order revenue\n"
        '    warehouseNative.criteria: [] -> [{"column": "status", "condition": "in", "type": "metadata", '
        '"values": ["completed"]}]\n'
        "+ create New metric\n"
        "- orphaned Old metric\n"
        "    carries the marker but is no longer declared in dbt\n"
        "Orphaned metrics are kept; `apply --prune` deletes those no experiment uses.\n"
    )


def test_the_guard_judges_a_declared_metric_as_declared(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    run(client, [ORDERS], [metric("Order revenue", valueColumn="value")])
    fake.seed_metrics([make_metric("Hand made", "orders", valueColumn="status")])
    dropped = source("orders", sql="select user_id, ts, amount, status from statsig_staging.orders")
    moved = metric("Order revenue", valueColumn="amount")

    def guarded(metrics: list[dict[str, Any]], sql_source: dict[str, Any]) -> tuple[str, str]:
        plan = guard_plan(
            make_plan(client, [sql_source], metrics),
            client.list_metrics,
            adapter_type="postgres",
            fetch_experiments=client.list_experiments,
            desired_metrics=metrics,
        )
        [item] = plan.of(Action.UPDATE, Kind.SOURCE) + plan.of(Action.BLOCKED, Kind.SOURCE)
        return item.action.value, item.reason

    # The declared metric moves to `amount` with the source: nothing breaks.
    assert guarded([moved], dropped) == ("update", "")
    # Kept on `value`, the declared metric would break; validate refuses that first (metric_columns).
    assert guarded([metric("Order revenue")], dropped) == (
        "blocked",
        "would break live metrics: Order revenue uses value (removed); pass --force to apply anyway",
    )
    # A hand-made metric is judged as Statsig holds it.
    no_status = source("orders", sql="select user_id, ts, amount from statsig_staging.orders")
    assert guarded([moved], no_status) == (
        "blocked",
        "would break live metrics: Hand made uses status (removed); pass --force to apply anyway",
    )
