"""`--adopt` takes over only objects without a marker. A source or metric that another statsig-sources
project's marker claims is refused, naming that project, unless `--take-over NAME` says to move it;
then this project's marker replaces theirs, and the other project sees it as no longer its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from support import KEY, MARKER, source

from statsig_sources.cli import main
from statsig_sources.registration.apply import Status, apply_plan
from statsig_sources.registration.plan import Action, Kind, build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.registration.report import render_markdown, render_text
from statsig_sources.standin import FakeStatsig, make_metric
from statsig_sources.statsig.api import StatsigClient
from statsig_sources.support.errors import InputError

BILLING = "managed-by:statsig-sources:billing"
SHOP = "managed-by:statsig-sources:shop"  # the fixture manifests' project
NAME = "statsig_purchases"
ORDERS = source("orders")
REFUSED = (
    "a {kind} named {name!r} in Statsig belongs to the statsig-sources project 'billing' (marker "
    f"{BILLING!r}); --adopt takes over only objects without a marker: pass --take-over {{name!r}} to move "
    "it to this project"
)


def revenue(tags: list[str]) -> dict[str, Any]:
    return make_metric("Revenue", "orders", aggregation="sum", valueColumn="value", cap=10.0) | {"tags": tags}


def declared_revenue() -> dict[str, Any]:
    native = {"aggregation": "sum", "metricSourceName": "orders", "valueColumn": "value"}
    body = {"name": "Revenue", "type": "user_warehouse", "directionality": "increase", "isReadOnly": True}
    return body | {"warehouseNative": native | {"criteria": [], "metricDimensionColumns": []}}


def plan_for(client: StatsigClient, **asked: set[str]) -> Any:
    return build_plan(
        [ORDERS],
        client.list_sources(),
        MARKER,
        asked.get("adopt", set()),
        metrics=[declared_revenue()],
        remote_metrics=client.list_metrics(),
        take_over=asked.get("take_over", set()),
    )


@pytest.mark.parametrize(
    "remote_tags",
    [[BILLING], ["finance", BILLING], [MARKER, BILLING]],
    ids=["theirs", "theirs-with-a-tag", "ours-and-theirs"],
)
def test_adopt_refuses_an_object_another_project_marks_and_names_that_project(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient], remote_tags: list[str]
) -> None:
    fake.seed_sources([source("orders", tags=remote_tags)])
    client = make_client()
    plan = plan_for(client, adopt={"orders", "Revenue"})
    blocked = [(item.kind, item.name, item.reason) for item in plan.of(Action.BLOCKED)]
    assert blocked == [
        (Kind.SOURCE, "orders", REFUSED.format(kind="source", name="orders")),
        (Kind.METRIC, "Revenue", "reads source `orders`, which is blocked"),
    ]
    result = apply_plan(plan, client)
    assert {o.status for o in result.outcomes} == {Status.BLOCKED} and fake.mutations == 0
    assert fake.sources["orders"]["tags"] == remote_tags


@pytest.mark.parametrize("remote_tags", [[BILLING], [MARKER, BILLING]], ids=["theirs", "ours-and-theirs"])
def test_adopt_refuses_a_metric_another_project_marks_and_names_that_project(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient], remote_tags: list[str]
) -> None:
    fake.seed_sources([managed_payload(ORDERS, MARKER)])
    fake.seed_metrics([revenue(remote_tags)])
    client = make_client()
    plan = plan_for(client, adopt={"Revenue"})
    [item] = plan.of(Action.BLOCKED)
    assert (item.kind, item.reason) == (Kind.METRIC, REFUSED.format(kind="metric", name="Revenue"))
    assert apply_plan(plan, client).exit_code == 1 and fake.mutations == 0
    assert fake.metrics["Revenue::user_warehouse"]["tags"] == remote_tags


def test_take_over_replaces_the_other_projects_marker_and_keeps_the_rest(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([source("orders", tags=[BILLING], datePartitionColumn="ds")])
    fake.seed_metrics([revenue([BILLING])])
    client = make_client()
    plan = plan_for(client, take_over={"orders", "Revenue"})
    updates = plan.of(Action.UPDATE)
    assert [(item.name, item.adopted, item.taken_over_from) for item in updates] == [
        ("orders", True, (BILLING,)),
        ("Revenue", True, (BILLING,)),
    ]
    text = render_text(plan)
    assert "~ update (take over) orders\n" in text
    assert (
        "    taken over from the statsig-sources project 'billing' (marker "
        f"'{BILLING}'): this project's marker replaces theirs\n"
    ) in text
    assert "| ~ | update (take over) | `Revenue` | `isReadOnly`, `tags`; taken over from" in render_markdown(
        plan
    )
    assert apply_plan(plan, client).exit_code == 0
    assert fake.sources["orders"]["tags"] == ["analytics", MARKER]
    assert fake.sources["orders"]["datePartitionColumn"] == "ds"
    stored = fake.metrics["Revenue::user_warehouse"]
    assert (stored["tags"], stored["warehouseNative"]["cap"]) == ([MARKER], 10.0)
    # The other project now finds them under this project's marker: blocked, never changed or pruned.
    theirs = build_plan([ORDERS], client.list_sources(), BILLING, set())
    assert [item.action for item in theirs.items] == [Action.BLOCKED]
    assert theirs.items[0].reason.startswith(
        "a source named 'orders' in Statsig belongs to the statsig-sources project 'test' "
        f"(marker {MARKER!r})"
    )


def test_take_over_also_adopts_an_unmarked_object_and_adopt_still_does(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([source("orders", tags=["manual"])])
    fake.seed_metrics([revenue(["manual"])])
    client = make_client()
    for asked in ({"adopt": {"orders", "Revenue"}}, {"take_over": {"orders", "Revenue"}}):
        plan = plan_for(client, **asked)
        assert [(i.name, i.adopted, i.taken_over_from) for i in plan.of(Action.UPDATE)] == [
            ("orders", True, ()),
            ("Revenue", True, ()),
        ]
        assert "~ update (adopt) orders\n" in render_text(plan)


def test_take_over_of_a_name_nothing_declares_is_an_input_error(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    with pytest.raises(InputError, match=r"--take-over 'nope': no desired source or metric has that name"):
        plan_for(make_client(), take_over={"nope"})


def test_a_create_that_finds_another_projects_object_is_blocked_naming_it(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    plan = build_plan([ORDERS], client.list_sources(), MARKER, set())  # planned as a create
    fake.seed_sources([source("orders", tags=[BILLING])])  # another project's apply got there first
    [outcome] = apply_plan(plan, client).outcomes
    assert (outcome.status, outcome.message) == (
        Status.BLOCKED,
        "created meanwhile: " + REFUSED.format(kind="source", name="orders"),
    )
    assert fake.sources["orders"]["tags"] == [BILLING]


# --- through the command line ---------------------------------------------------------------------


def invoke(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    return CliRunner().invoke(main, [*args, "--project-dir", str(project)], env=env, catch_exceptions=False)


def test_the_commands_refuse_adopt_and_accept_take_over_with_what_each_means(
    fake: FakeStatsig, project: Path
) -> None:
    fake.seed_sources([managed_payload(source(NAME), BILLING)])
    refused = f"a source named '{NAME}' in Statsig belongs to the statsig-sources project 'billing'"
    for fmt in ("text", "json", "markdown"):
        result = invoke(fake, project, "plan", "--adopt", NAME, "--format", fmt)
        assert result.exit_code == 1
        assert refused in result.stdout, fmt
    applied = invoke(fake, project, "apply", "--adopt", NAME)
    assert applied.exit_code == 1 and f"blocked: {NAME}: {refused}" in applied.stdout
    assert fake.sources[NAME]["tags"] == ["analytics", BILLING]
    report = json.loads(invoke(fake, project, "plan", "--take-over", NAME, "--format", "json").stdout)
    [item] = report["items"]
    assert (item["action"], item["adopted"], item["taken_over_from"]) == ("update", True, [BILLING])
    taken = invoke(fake, project, "apply", "--take-over", NAME)
    assert taken.exit_code == 0, taken.output
    assert f"~ update (take over) {NAME}\n" in taken.stdout
    assert BILLING not in fake.sources[NAME]["tags"] and SHOP in fake.sources[NAME]["tags"]
