"""apply_plan end to end against the loopback fake Statsig."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from support import MARKER, source

from statsig_sources.registration.apply import ApplyResult, Status, apply_plan
from statsig_sources.registration.plan import Action, build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.standin import FakeStatsig, Fault, make_metric
from statsig_sources.statsig.api import StatsigClient
from statsig_sources.support.errors import ExitCode, RemoteError


def run(
    client: StatsigClient,
    desired: Sequence[dict[str, Any]],
    *,
    adopt: set[str] | None = None,
    **options: Any,
) -> ApplyResult:
    plan = build_plan(desired, client.list_sources(), MARKER, adopt or set())
    return apply_plan(plan, client, **options)


def statuses(result: ApplyResult) -> list[tuple[str, Action, Status]]:
    return [(o.name, o.action, o.status) for o in result.outcomes]


def test_apply_creates_updates_and_leaves_the_rest(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(source("same"), MARKER), managed_payload(source("old"), MARKER)])
    fake.seed_sources([source("foreign", tags=["manual"])])
    desired = [source("new"), source("same"), source("old", timestampColumn="ts2")]
    result = run(make_client(), desired)
    assert statuses(result) == [
        ("new", Action.CREATE, Status.DONE),
        ("old", Action.UPDATE, Status.DONE),
    ]
    assert result.exit_code is ExitCode.OK
    stored = fake.sources
    assert stored["new"]["tags"] == ["analytics", MARKER] and stored["new"]["isReadOnly"] is True
    assert stored["old"]["timestampColumn"] == "ts2"
    assert stored["foreign"]["tags"] == ["manual"]
    assert fake.count("POST") == 2 and fake.count("DELETE") == 0


def test_second_apply_makes_no_writes(fake: FakeStatsig, make_client: Callable[..., StatsigClient]) -> None:
    desired = [source(f"s{i}") for i in range(7)]
    client = make_client()
    assert run(client, desired).writes == 7
    before = fake.mutations
    second = run(client, desired)
    assert second.outcomes == () and fake.mutations == before


def test_blocked_source_is_untouched_until_adopted(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([source("shared", tags=["manual"])])
    client = make_client()
    blocked = run(client, [source("shared")])
    assert statuses(blocked) == [("shared", Action.BLOCKED, Status.BLOCKED)]
    assert blocked.exit_code is ExitCode.FINDINGS and fake.mutations == 0
    adopted = run(client, [source("shared")], adopt={"shared"})
    assert statuses(adopted) == [("shared", Action.UPDATE, Status.DONE)]
    assert MARKER in fake.sources["shared"]["tags"]
    assert run(client, [source("shared")]).outcomes == ()


@pytest.mark.parametrize(
    ("prune", "metrics", "expected", "remaining"),
    [
        (False, [], Status.KEPT, True),
        (True, [], Status.DONE, False),
        (
            True,
            [make_metric("revenue", "gone"), make_metric("hidden_one", "gone", hidden=True)],
            Status.BLOCKED,
            True,
        ),
    ],
    ids=["kept-without-prune", "pruned", "prune-blocked-by-metrics"],
)
def test_orphans_are_deleted_only_with_prune_and_when_unused(
    fake: FakeStatsig,
    make_client: Callable[..., StatsigClient],
    prune: bool,
    metrics: list[dict[str, Any]],
    expected: Status,
    remaining: bool,
) -> None:
    fake.seed_sources([managed_payload(source("gone"), MARKER)])
    fake.seed_metrics(metrics)
    result = run(make_client(), [], prune=prune)
    assert statuses(result) == [("gone", Action.ORPHANED, expected)]
    assert ("gone" in fake.sources) is remaining
    if expected is Status.BLOCKED:
        assert result.outcomes[0].message == "not deleted: used by 2 metric(s): hidden_one, revenue"
        assert result.exit_code is ExitCode.FINDINGS


def test_read_back_reports_fields_statsig_dropped(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.on_store = lambda stored: {key: value for key, value in stored.items() if key != "owner"}
    result = run(make_client(), [source("a", owner={"ownerEmail": "a@x.io"}), source("b")])
    drifted = [(o.name, o.status, o.message) for o in result.outcomes if o.status is Status.DRIFTED]
    assert drifted == [("a", Status.DRIFTED, "Statsig dropped or changed owner")]
    assert result.exit_code is ExitCode.FINDINGS


def test_read_back_uses_one_list_when_cheaper_than_gets(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    run(make_client(page_size=100), [source(f"s{i}") for i in range(5)])
    assert fake.count("GET", "/list") == 2 and fake.count("GET") == 2


def test_interrupted_apply_converges_when_rerun(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    desired = [source(f"s{i}") for i in range(6)]

    def break_after_two(outcome: Any) -> None:
        if outcome.name == "s1":
            # the next create takes effect but its answer is lost, and the run gives up there
            fake.inject(Fault("drop_after", method="POST"))

    with pytest.raises(RemoteError, match="Safe to rerun"):
        run(make_client(attempts=1), desired, on_outcome=break_after_two)
    assert sorted(fake.sources) == ["s0", "s1", "s2"]
    rerun = run(make_client(), desired)
    assert [o.name for o in rerun.outcomes] == ["s3", "s4", "s5"]
    assert rerun.exit_code is ExitCode.OK
    assert sorted(fake.sources) == [f"s{i}" for i in range(6)]
    assert run(make_client(), desired).outcomes == ()


def test_apply_stopped_by_the_user_converges_when_rerun(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    desired = [source(f"s{i}") for i in range(5)]

    def interrupt(outcome: Any) -> None:
        if outcome.name == "s2":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(make_client(), desired, on_outcome=interrupt)
    rerun = run(make_client(), desired)
    assert [o.name for o in rerun.outcomes] == ["s3", "s4"]
    assert sorted(fake.sources) == [f"s{i}" for i in range(5)]
    assert fake.count("POST", status=400) == 0


def test_create_retried_after_a_lost_answer_is_resolved_by_reading(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.inject(Fault("drop_after", method="POST"))
    result = run(make_client(), [source("a")])
    assert statuses(result) == [("a", Action.CREATE, Status.DONE)]
    assert result.outcomes[0].message == "already existed with the marker (an earlier attempt)"
    assert fake.count("POST", status=400) == 1 and len(fake.sources) == 1
    assert result.exit_code is ExitCode.OK
    assert result.writes == 1  # the create whose answer was lost wrote it


def test_create_colliding_with_a_foreign_source_is_blocked(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    plan = build_plan([source("a")], client.list_sources(), MARKER, set())
    fake.seed_sources([source("a", tags=["manual"])])  # someone creates it by hand meanwhile
    result = apply_plan(plan, client)
    assert statuses(result) == [("a", Action.CREATE, Status.BLOCKED)]
    assert fake.sources["a"]["tags"] == ["manual"]


def test_dry_run_validates_on_the_server_and_persists_nothing(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([managed_payload(source("old"), MARKER)])
    result = run(make_client(), [source("new"), source("old", sql="select 2")], dry_run=True)
    assert [o.status for o in result.outcomes] == [Status.VALIDATED, Status.VALIDATED]
    assert sorted(fake.sources) == ["old"] and fake.sources["old"]["sql"] != "select 2"
    assert all(r.body.get("dryRun") is True for r in fake.requests if r.method == "POST")
    assert result.writes == 0


def test_refused_write_fails_the_item_with_statsig_messages(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.known_tags = {"analytics"}  # Statsig may refuse tags it does not know (not documented)
    result = run(make_client(), [source("a")])
    assert statuses(result) == [("a", Action.CREATE, Status.FAILED)]
    assert f"- tags: Tag '{MARKER}' does not exist." in result.outcomes[0].message
    assert result.exit_code is ExitCode.FINDINGS


def test_throttled_apply_gets_no_429s(fake: FakeStatsig, make_client: Callable[..., StatsigClient]) -> None:
    from statsig_sources.statsig.throttle import RateWindow, Throttle

    fake.rate_limit = (4, 0.2)
    result = run(
        make_client(throttle=Throttle([RateWindow(4, 0.2)]), attempts=1), [source(f"s{i}") for i in range(12)]
    )
    assert result.writes == 12 and fake.throttled == 0
