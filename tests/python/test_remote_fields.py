"""Fields the declaration does not manage are never lost: an update or an adoption sends what Statsig
holds merged with what is declared, and the plan shows exactly the fields that will change.

Against the loopback stand-in, which replaces a metric's `warehouseNative` and a whole metric source on
update (the strict reading of what Statsig does not document), so a field left out of a body is lost
there as it could be in Statsig.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import KEY, MARKER, source

from statsig_sources.cli import main
from statsig_sources.registration.apply import Status, apply_plan
from statsig_sources.registration.plan import Action, FieldChange, Kind, Plan, build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.registration.report import render_json, render_markdown, render_text
from statsig_sources.standin import FakeStatsig, make_metric
from statsig_sources.statsig.api import StatsigClient

# What an analyst sets in Statsig's console and a declaration does not manage (MetricsUpdateContractDto).
CONSOLE_NATIVE = {
    "cap": 250.0,
    "winsorizationLow": 0.01,
    "winsorizationHigh": 0.99,
    "cupedAttributionWindow": 14.0,
    "metricBakeDays": 3.0,
    "rollupTimeWindow": "custom",
    "customRollUpStart": 0.0,
    "customRollUpEnd": 7.0,
    "useLogTransform": True,
    "logTransformBase": 10.0,
}
CONSOLE_METRIC = {"isVerified": True, "isPermanent": True, "team": "growth", "teamID": "team-1"}
CONSOLE_SOURCE = {
    "datePartitionColumn": "ds",
    "isVerified": True,
    "team": "growth",
    "teamID": "team-1",
    "owner": {"ownerID": "u42", "ownerName": "Ana", "ownerType": "USER", "ownerEmail": "ana@example.com"},
}
ORDERS = source("orders", sql="select user_id, ts, value, status from statsig_staging.orders")
COMPLETED = {"type": "metadata", "column": "status", "condition": "in", "values": ["completed"]}


def metric(name: str = "Revenue", **native: Any) -> dict[str, Any]:
    """A desired metric payload as registration/metrics.py builds it (the plan adds the marker)."""
    top = {key: native.pop(key) for key in ("description", "tags", "owner") if key in native}
    body = {"name": name, "type": "user_warehouse", "directionality": "increase", "isReadOnly": True, **top}
    native = {"aggregation": "sum", "metricSourceName": "orders", "valueColumn": "value", **native}
    body["warehouseNative"] = {"criteria": [], "metricDimensionColumns": [], **native}
    return body


def held(declared: dict[str, Any], *, marker: bool = True, **console: Any) -> dict[str, Any]:
    """The metric as Statsig holds it: `declared` (ours when `marker`), plus what the console set:
    top-level fields by name, `warehouseNative` ones under `native`."""
    body = managed_payload(declared, MARKER) if marker else {**declared, "tags": ["manual"]}
    native = {**body.pop("warehouseNative"), **console.pop("native", {})}
    body.pop("type")
    return make_metric(body.pop("name"), **native) | body | console


def plan_for(client: StatsigClient, metrics: Sequence[dict[str, Any]], **options: Any) -> Plan:
    return build_plan(
        [ORDERS],
        client.list_sources(),
        MARKER,
        options.pop("adopt", set()),
        metrics=metrics,
        remote_metrics=client.list_metrics(),
        **options,
    )


def sent(fake: FakeStatsig, path: str) -> list[Any]:
    return [r.body for r in fake.requests if r.method == "POST" and r.path.endswith(path)]


def test_a_metric_update_keeps_what_the_console_set_and_plans_only_the_declared_change(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    fake.seed_metrics([held(metric(description="Old."), native=CONSOLE_NATIVE, **CONSOLE_METRIC)])
    client = make_client()
    plan = plan_for(client, [metric(description="New.")])
    [item] = plan.of(Action.UPDATE, Kind.METRIC)
    assert item.changes == (FieldChange("description", "Old.", "New."),)
    assert "description" in render_text(plan) and "cap" not in render_text(plan)
    [listed] = [i for i in json.loads(render_json(plan))["items"] if i["kind"] == "metric"]
    assert [change["field"] for change in listed["changes"]] == ["description"]
    assert '- description: "Old."\n+ description: "New."\n```' in render_markdown(plan)
    assert item.payload is not None and item.payload["warehouseNative"] == {
        **metric()["warehouseNative"],
        **CONSOLE_NATIVE,
    }
    assert apply_plan(plan, client).exit_code == 0
    assert sent(fake, "/Revenue%3A%3Auser_warehouse") == [item.payload]  # the plan's body, as it is
    stored = fake.metrics["Revenue::user_warehouse"]
    assert stored["warehouseNative"] == item.payload["warehouseNative"]
    assert {key: stored[key] for key in CONSOLE_METRIC} == CONSOLE_METRIC
    assert stored["description"] == "New."
    assert not plan_for(client, [metric(description="New.")]).has_changes


def test_a_source_update_keeps_what_the_console_set_and_plans_only_the_declared_change(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([{**managed_payload(ORDERS, MARKER), **CONSOLE_SOURCE}])
    client = make_client()
    changed = {**ORDERS, "sql": ORDERS["sql"] + " where status is not null"}
    plan = build_plan([changed], client.list_sources(), MARKER, set())
    [item] = plan.of(Action.UPDATE)
    assert [change.field for change in item.changes] == ["sql"]
    assert apply_plan(plan, client).exit_code == 0
    stored = fake.sources["orders"]
    assert {key: stored[key] for key in CONSOLE_SOURCE} == CONSOLE_SOURCE
    assert stored["sql"] == changed["sql"]
    assert sent(fake, "/metric_source/orders") == [item.payload]


def test_an_adoption_keeps_what_the_console_set(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    fake.seed_metrics([held(metric(), marker=False, native=CONSOLE_NATIVE, **CONSOLE_METRIC)])
    client = make_client()
    plan = plan_for(client, [metric()], adopt={"Revenue"})
    [item] = plan.of(Action.UPDATE, Kind.METRIC)
    assert item.adopted and [change.field for change in item.changes] == ["tags"]
    assert '~ update (adopt) Revenue\n    tags: ["manual"] -> ["' + MARKER + '"]\n' in render_text(plan)
    apply_plan(plan, client)
    stored = fake.metrics["Revenue::user_warehouse"]
    assert stored["tags"] == [MARKER]
    assert {key: stored["warehouseNative"][key] for key in CONSOLE_NATIVE} == CONSOLE_NATIVE
    assert {key: stored[key] for key in CONSOLE_METRIC} == CONSOLE_METRIC


@pytest.mark.parametrize(
    ("remote", "declared", "changes", "after"),
    [
        (
            {"native": {"criteria": [COMPLETED]}},
            metric(),
            [("warehouseNative.criteria", [COMPLETED], [])],
            {"criteria": []},
        ),
        (
            {"native": {"aggregation": "percentile", "percentile": 95.0}},
            metric(),
            [
                ("warehouseNative.aggregation", "percentile", "sum"),
                ("warehouseNative.percentile", 95.0, None),
            ],
            {"aggregation": "sum", "percentile": None},
        ),
        (
            {"native": {"aggregation": "ratio", "denominatorMetricSourceName": "orders", "cap": 9.0}},
            metric(),
            [
                ("warehouseNative.aggregation", "ratio", "sum"),
                ("warehouseNative.denominatorMetricSourceName", "orders", None),
            ],
            {"denominatorMetricSourceName": None, "cap": 9.0},
        ),
        ({"description": "Set in the console."}, metric(), [], {}),
        ({"unitTypes": ["userID"]}, metric(), [], {}),
    ],
    ids=[
        "declared-no-criteria-clears-them",
        "no-longer-a-percentile",
        "no-longer-a-ratio-cap-kept",
        "undeclared-description-kept",
        "undeclared-unit-types-kept",
    ],
)
def test_a_managed_field_declared_empty_is_cleared_and_an_unmanaged_one_kept(
    fake: FakeStatsig,
    make_client: Callable[..., StatsigClient],
    remote: dict[str, Any],
    declared: dict[str, Any],
    changes: list[tuple[str, Any, Any]],
    after: dict[str, Any],
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    fake.seed_metrics([held(metric(), **remote)])
    client = make_client()
    plan = plan_for(client, [declared])
    [item] = [item for item in plan.items if item.kind is Kind.METRIC]
    assert [(c.field, c.before, c.after) for c in item.changes] == changes
    apply_plan(plan, client)
    stored = fake.metrics["Revenue::user_warehouse"]
    assert {key: stored["warehouseNative"].get(key) for key in after} == after
    for key, value in remote.items():
        if key != "native":
            assert stored[key] == value
    assert not plan_for(client, [declared]).has_changes


def test_a_source_declared_without_custom_fields_clears_them_and_keeps_an_undeclared_owner(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    custom = [{"key": "net", "formula": "value - refunds"}]
    owner = CONSOLE_SOURCE["owner"]
    fake.seed_sources([{**managed_payload(ORDERS, MARKER), "customFieldMapping": custom, "owner": owner}])
    client = make_client()
    plan = build_plan([ORDERS], client.list_sources(), MARKER, set())
    [item] = plan.of(Action.UPDATE)
    assert item.changes == (FieldChange("customFieldMapping", custom, []),)
    apply_plan(plan, client)
    assert fake.sources["orders"]["customFieldMapping"] == []
    assert fake.sources["orders"]["owner"] == owner


def test_a_value_statsig_spells_its_own_way_is_sent_back_as_statsig_holds_it(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    """Same tags in another order, a criterion with Statsig's `nullVacuousOverride`, an owner Statsig
    completed: none is a change, and an update for another field leaves each as Statsig holds it."""
    criterion = {**COMPLETED, "nullVacuousOverride": True}
    owner = {"name": "Ana", "ownerName": "Ana", "ownerType": "USER", "ownerEmail": "ana@example.com"}
    declared = metric(criteria=[COMPLETED], tags=["b", "a"], owner={"email": "ana@example.com"})
    stored = held(metric(criteria=[criterion], tags=["a", "b"], description="Old."), owner=owner)
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    fake.seed_metrics([{**stored, "tags": [MARKER, "b", "a"]}])
    client = make_client()
    plan = plan_for(client, [{**declared, "description": "New."}])
    [item] = plan.of(Action.UPDATE, Kind.METRIC)
    assert [change.field for change in item.changes] == ["description"]
    apply_plan(plan, client)
    after = fake.metrics["Revenue::user_warehouse"]
    assert after["warehouseNative"]["criteria"] == [criterion]
    assert after["tags"] == [MARKER, "b", "a"]


def test_a_create_that_collides_with_our_own_earlier_create_keeps_what_it_finds(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    """The retry of a create whose answer was lost finds the metric, now with a cap someone set: the
    update after it is merged with what it read."""
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    client = make_client()
    plan = plan_for(client, [metric(description="New.")])  # planned as a create
    fake.seed_metrics([held(metric(description="Old."), native={"cap": 9.0})])
    result = apply_plan(plan, client)
    assert [(o.name, o.status) for o in result.outcomes] == [("Revenue", Status.DONE)]
    stored = fake.metrics["Revenue::user_warehouse"]
    assert (stored["description"], stored["warehouseNative"]["cap"]) == ("New.", 9.0)


# --- the plan shows exactly the fields that will change -------------------------------------------

native_values = st.fixed_dictionaries(
    {},
    optional={
        "cap": st.sampled_from([1.0, 250.0]),
        "winsorizationHigh": st.sampled_from([0.9, 0.99]),
        "cupedAttributionWindow": st.sampled_from([7.0, 14.0]),
        "metricBakeDays": st.sampled_from([1.0, 3.0]),
        "percentile": st.sampled_from([50.0, 95.0]),
        "valueColumn": st.sampled_from(["value", "amount"]),
        "criteria": st.sampled_from([[], [COMPLETED], [{**COMPLETED, "nullVacuousOverride": False}]]),
        "metricDimensionColumns": st.sampled_from([[], ["status"]]),
        "aggregation": st.sampled_from(["sum", "mean", "percentile"]),
    },
)
top_values = st.fixed_dictionaries(
    {},
    optional={
        "description": st.sampled_from(["", "Old.", "New."]),
        "isVerified": st.booleans(),
        "team": st.sampled_from(["growth", "core"]),
        "unitTypes": st.sampled_from([["userID"], ["stableID", "userID"]]),
        "tags": st.sampled_from([[MARKER], [MARKER, "x"], ["x", MARKER]]),
    },
)
declarations = st.fixed_dictionaries(
    {},
    optional={
        "description": st.sampled_from(["Old.", "New."]),
        "valueColumn": st.sampled_from(["value", "amount"]),
        "criteria": st.sampled_from([[], [COMPLETED]]),
        "aggregation": st.sampled_from(["sum", "mean"]),
        "tags": st.sampled_from([["x"], []]),
    },
)
BOOKKEEPING = {"lastModifiedTime"}


def _fields(metric: dict[str, Any]) -> dict[str, Any]:
    """A stored metric as `field` -> value, `warehouseNative.<key>` for each native field."""
    native = metric.get("warehouseNative") or {}
    flat = {
        key: value for key, value in metric.items() if key != "warehouseNative" and key not in BOOKKEEPING
    }
    return flat | {f"warehouseNative.{key}": value for key, value in native.items()}


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(native=native_values, top=top_values, declared=declarations)
def test_the_plan_lists_exactly_the_fields_an_apply_changes(
    native: dict[str, Any], top: dict[str, Any], declared: dict[str, Any]
) -> None:
    wanted = metric(**declared)
    with FakeStatsig() as fake:
        fake.seed_sources([managed_payload(ORDERS, MARKER)])
        fake.seed_metrics([held(metric(), native=native, **{"tags": [MARKER], **top})])
        before = _fields(fake.metrics["Revenue::user_warehouse"])
        with StatsigClient(KEY, base_url=fake.url) as client:
            plan = plan_for(client, [wanted])
            [item] = [item for item in plan.items if item.kind is Kind.METRIC]
            apply_plan(plan, client)
        after = _fields(fake.metrics["Revenue::user_warehouse"])
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert {change.field for change in item.changes} == changed
    assert item.action is (Action.UPDATE if changed else Action.UNCHANGED)


# --- through the command line ---------------------------------------------------------------------


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = [*args, "--project-dir", str(project)]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def test_plan_shows_in_every_format_only_what_apply_changes_and_apply_keeps_the_rest(
    fake: FakeStatsig, dbt_project: Callable[..., Path]
) -> None:
    """A metric declared in dbt, applied, then edited in the console: a cap and a bake day added (kept),
    its value column changed (a managed field: set back)."""
    project = dbt_project("valid/metrics_across_sources.json")
    assert invoke(fake, project, "apply").exit_code == 0
    with fake.lock:
        [revenue] = [m for m in fake.state.metrics if m["name"] == "Order revenue"]
        revenue["warehouseNative"] |= {"cap": 500.0, "metricBakeDays": 2.0, "valueColumn": "gross"}
        revenue["description"] = "Edited in the console."
    text = invoke(fake, project, "plan").stdout
    assert '~ update Order revenue\n    warehouseNative.valueColumn: "gross" -> "value"\n' in text
    assert "cap" not in text and "metricBakeDays" not in text and "Edited" not in text
    report = json.loads(invoke(fake, project, "plan", "--format", "json").stdout)
    [item] = [item for item in report["items"] if item["action"] == "update"]
    assert item["changes"] == [{"field": "warehouseNative.valueColumn", "before": "gross", "after": "value"}]
    assert item["payload"]["warehouseNative"]["cap"] == 500.0
    markdown = invoke(fake, project, "plan", "--format", "markdown").stdout
    assert "| ~ | update | `Order revenue` | `warehouseNative.valueColumn` |" in markdown
    assert '```diff\n- warehouseNative.valueColumn: "gross"\n+ warehouseNative.valueColumn: "value"\n```' in (
        markdown
    )
    assert invoke(fake, project, "apply").exit_code == 0
    stored = fake.metrics["Order revenue::user_warehouse"]
    assert stored["description"] == "Edited in the console."
    assert {key: stored["warehouseNative"][key] for key in ("cap", "metricBakeDays", "valueColumn")} == {
        "cap": 500.0,
        "metricBakeDays": 2.0,
        "valueColumn": "value",
    }
