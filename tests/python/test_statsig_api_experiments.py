"""StatsigClient's experiment calls: the running experiments, paginated; an experiment's newest result
loads in at most two reads; `load_pulse` with its fields in the query and the body; answers checked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support import KEY, RecordingSleep

from statsig_sources.standin import FakeStatsig, Fault, make_metric
from statsig_sources.statsig.api import ApiError, StatsigClient
from statsig_sources.support.errors import RemoteError


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> StatsigClient:
    return StatsigClient(
        KEY,
        base_url="https://example.test/console/v1",
        transport=httpx.MockTransport(handler),
        sleep=RecordingSleep(),
        **options,
    )


def page(data: list[Any], number: int, total: int, more: bool) -> httpx.Response:
    pagination = {"itemsPerPage": 2, "pageNumber": number, "totalItems": total, "previousPage": None}
    pagination["nextPage"] = f"/console/v1/x?page={number + 1}&limit=2" if more else None
    return httpx.Response(200, json={"message": "ok", "data": data, "pagination": pagination})


def load(created: int) -> dict[str, Any]:
    return {"createdTime": created, "startDs": "2026-05-01", "endDs": "2026-05-20", "reloadType": "full"}


def test_running_experiments_are_listed_to_the_last_page(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_experiments([{"id": f"exp_{i}", "status": "active" if i % 2 else "setup"} for i in range(9)])
    experiments = make_client(page_size=2).list_experiments()
    assert [experiment["id"] for experiment in experiments] == ["exp_1", "exp_3", "exp_5", "exp_7"]
    assert [r.query for r in fake.requests] == [
        {"status": "active", "page": str(number), "limit": "2"} for number in (1, 2)
    ]


def test_an_experiment_of_another_shape_is_a_remote_error() -> None:
    experiments = [{"id": "exp", "primaryMetrics": [{"name": "Revenue"}]}]
    client = mock_client(lambda request: page(experiments, 1, 1, more=False))
    with pytest.raises(
        RemoteError, match=r"GET /experiments .*data\[0\]\.primaryMetrics\[0\]\.type is missing"
    ):
        client.list_experiments()


@pytest.mark.parametrize(
    ("pages", "expected", "read"),
    [
        ({1: ([load(30), load(20)], True)}, [30, 20], [1]),
        ({1: ([load(10)], False)}, [10], [1]),
        ({1: ([load(10), load(20)], True), 3: ([load(50)], False)}, [10, 20, 50], [1, 3]),
    ],
    ids=["newest-first", "one-page", "oldest-first-reads-the-last-page"],
)
def test_the_newest_loads_are_read_in_at_most_two_requests(
    pages: dict[int, tuple[list[dict[str, Any]], bool]], expected: list[int], read: list[int]
) -> None:
    asked: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        asked.append(number)
        data, more = pages[number]
        return page(data, number, 5, more)

    client = mock_client(handler, page_size=2)
    assert [record["createdTime"] for record in client.pulse_load_history("exp a")] == expected
    assert asked == read


def test_load_pulse_sends_refresh_and_metric_ids_in_the_query_and_the_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"message": "Experiment is loading."})

    client = mock_client(handler)
    assert client.load_pulse("checkout test", "metric", ["A::sum", "B b::ratio"]) == "Experiment is loading."
    [request] = seen
    assert request.url.raw_path.split(b"?")[0] == b"/console/v1/experiments/checkout%20test/load_pulse"
    assert request.url.params.multi_items() == [
        ("refresh", "metric"),
        ("metricIDs", "A::sum"),
        ("metricIDs", "B b::ratio"),
    ]
    assert json.loads(request.content) == {"refresh": "metric", "metricIDs": ["A::sum", "B b::ratio"]}
    with pytest.raises(ValueError, match="refresh must be one of full, incremental, metric"):
        client.load_pulse("checkout", "daily")


def test_load_pulse_is_retried_when_throttled_and_refusals_carry_statsigs_message(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_metrics([make_metric("Revenue", "orders")])
    fake.seed_experiments([{"id": "checkout"}, {"id": "stopped"}])
    fake.refuse_loads("stopped", "Experiment is not running.")
    fake.inject(Fault("status", status=429, retry_after="0", method="POST", times=2))
    client = make_client()
    assert client.load_pulse("checkout", "metric", ["Revenue::user_warehouse"]) == "Experiment is loading."
    assert fake.count("POST", status=429) == 2 and len(fake.loads) == 1
    with pytest.raises(ApiError) as refused:
        client.load_pulse("stopped", "full")
    assert refused.value.status == 400
    assert str(refused.value) == (
        "Statsig refused POST /experiments/stopped/load_pulse?refresh=full (HTTP 400): "
        "Experiment is not running."
    )
