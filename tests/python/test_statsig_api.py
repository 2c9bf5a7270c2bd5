"""StatsigClient: unit tests over httpx.MockTransport, and the same behaviours end to end on the fake."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from support import KEY, RecordingSleep, source

from statsig_sources.standin import FakeStatsig, Fault, make_metric
from statsig_sources.statsig.api import (
    AlreadyExistsError,
    ApiError,
    AuthError,
    StatsigClient,
    parse_retry_after,
)
from statsig_sources.statsig.throttle import RateWindow, Throttle
from statsig_sources.support.errors import ExitCode, InputError, RemoteError

# --- unit: MockTransport -------------------------------------------------------------------------


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> StatsigClient:
    options.setdefault("sleep", RecordingSleep())
    return StatsigClient(
        KEY, base_url="https://example.test/console/v1", transport=httpx.MockTransport(handler), **options
    )


def test_client_sends_key_version_and_json_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"message": "ok", "data": {"name": "a"}})

    mock_client(handler).create_source({"name": "a"})
    request = seen[0]
    assert request.headers["STATSIG-API-KEY"] == KEY
    assert request.headers["STATSIG-API-VERSION"] == "20240601"
    assert request.headers["Content-Type"] == "application/json"
    assert str(request.url) == "https://example.test/console/v1/metrics/metric_source"
    assert json.loads(request.content) == {"name": "a"}


def test_client_update_posts_to_the_url_encoded_name_without_the_name_in_the_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"message": "ok", "data": {}})

    mock_client(handler).update_source("a b/c", {"name": "a b/c", "sql": "x"}, dry_run=True)
    assert seen[0].method == "POST"
    assert seen[0].url.raw_path == b"/console/v1/metrics/metric_source/a%20b%2Fc"
    assert json.loads(seen[0].content) == {"sql": "x", "dryRun": True}


@pytest.mark.parametrize(
    ("answers", "expected_waits"),
    [
        ([(429, {"Retry-After": "2.5"}), (200, {})], [2.5]),
        ([(503, {}), (500, {}), (200, {})], [0.5, 1.0]),
        ([(429, {}), (502, {"Retry-After": "0"}), (200, {})], [0.5, 0.0]),
    ],
)
def test_client_retries_throttling_and_5xx_honouring_retry_after(
    answers: list[tuple[int, dict[str, str]]], expected_waits: list[float]
) -> None:
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers = queue.pop(0)
        return httpx.Response(status, headers=headers, json={"message": "m", "data": {"name": "a"}})

    sleep = RecordingSleep()
    assert mock_client(handler, sleep=sleep).get_source("a") == {"name": "a"}
    assert sleep.waits == expected_waits


def test_client_gives_up_after_its_attempts_with_a_remote_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(RemoteError, match=r"no answer within 10 s after 3 attempt\(s\)") as caught:
        mock_client(handler, attempts=3).list_sources()
    assert caught.value.exit_code is ExitCode.REMOTE


def test_client_reports_statsig_validation_messages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        errors = [{"property": "idTypeMapping", "errorMessage": "must not be empty"}]
        return httpx.Response(400, json={"status": 400, "message": "Invalid request.", "errors": errors})

    with pytest.raises(ApiError) as caught:
        mock_client(handler).create_source({"name": "a"})
    assert str(caught.value) == (
        "Statsig refused POST /metrics/metric_source (HTTP 400): Invalid request.\n"
        "  - idTypeMapping: must not be empty"
    )
    assert caught.value.errors == ("idTypeMapping: must not be empty",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0.25", 0.25),
        ("-1", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_accepts_seconds_and_http_dates(value: str | None, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert parse_retry_after(value, now=lambda: now) == expected


def test_client_without_a_key_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        StatsigClient("")
    assert caught.value.exit_code is ExitCode.INPUT


def test_client_repr_hides_the_key() -> None:
    client = mock_client(lambda request: httpx.Response(200))
    assert KEY not in repr(client) and "***" in repr(client)


# --- end to end: the loopback fake ---------------------------------------------------------------


def test_list_follows_pagination_to_the_end(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources(source(f"s{i:02d}") for i in range(8))
    names = [s["name"] for s in make_client(page_size=3).list_sources()]
    assert names == [f"s{i:02d}" for i in range(8)]
    pages = [r.query for r in fake.requests]
    assert pages == [{"page": str(p), "limit": "3"} for p in (1, 2, 3)]


def test_list_metrics_keeps_show_hidden_on_every_page(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.seed_sources([source("events")])
    fake.seed_metrics(make_metric(f"m{i}", "events", hidden=i % 2 == 0) for i in range(5))
    client = make_client(page_size=2)
    assert [m["name"] for m in client.list_metrics()] == ["m0", "m1", "m2", "m3", "m4"]
    assert all(r.query.get("showHiddenMetrics") == "true" for r in fake.requests)
    assert len(client.list_source_metrics("events")) == 5


@pytest.mark.parametrize(
    "fault",
    [
        Fault("status", status=429, retry_after="0.05"),
        Fault("status", status=503),
        Fault("status", status=500, times=2),
        Fault("drop"),
    ],
    ids=["429-retry-after", "503", "500-twice", "dropped-connection"],
)
def test_transient_failures_are_retried_end_to_end(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient], fault: Fault
) -> None:
    fake.seed_sources([source("events")])
    fake.inject(fault)
    sleep = RecordingSleep(real=True)
    assert make_client(sleep=sleep).get_source("events") is not None
    assert len(fake.requests) == len(sleep.waits) + 1
    if fault.retry_after is not None:
        assert sleep.waits == [0.05]


def test_exhausted_retries_raise_a_remote_error(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.inject(Fault("status", status=503, times=10))
    with pytest.raises(RemoteError) as caught:
        make_client(attempts=2).list_sources()
    assert str(caught.value) == (
        "Statsig kept failing: GET /metrics/metric_source/list?page=1&limit=3 gave HTTP 503 after "
        "2 attempt(s) and 0 s of waiting in all. Safe to rerun."
    )


def test_not_found_and_duplicates_are_told_apart(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    client = make_client()
    assert client.get_source("missing") is None
    client.create_source(source("events"))
    with pytest.raises(AlreadyExistsError):
        client.create_source(source("events"))


def test_fake_refuses_unknown_fields_with_statsig_errors(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    with pytest.raises(ApiError, match="- timestampColum: Additional properties are not allowed"):
        make_client().create_source({**source("events"), "timestampColum": "ts"})


def test_throttle_keeps_mutations_under_the_server_limit(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.rate_limit = (5, 0.2)
    client = make_client(throttle=Throttle([RateWindow(5, 0.2)]), attempts=1)
    for i in range(16):
        client.create_source(source(f"s{i:02d}"))
    assert fake.throttled == 0
    assert len(fake.sources) == 16
    times = [r.at for r in fake.requests]
    assert times[15] - times[0] >= 3 * 0.2


def test_without_the_throttle_the_server_limiter_answers_429(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    fake.rate_limit = (5, 10.0)
    client = make_client(attempts=1)
    with pytest.raises(RemoteError, match="HTTP 429"):
        for i in range(6):
            client.create_source(source(f"s{i}"))
    assert fake.throttled == 1


@pytest.mark.parametrize(
    ("key", "fault"),
    [
        ("server-secret-NOTCONSOLE", None),
        (KEY, Fault("status", status=503, times=5)),
        (KEY, Fault("drop", times=5)),
    ],
    ids=["401-echoes-the-key", "retries-exhausted", "connection-dropped"],
)
def test_the_key_never_appears_in_errors_reprs_or_logs(
    fake: FakeStatsig,
    make_client: Callable[..., StatsigClient],
    caplog: pytest.LogCaptureFixture,
    key: str,
    fault: Fault | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    if fault:
        fake.inject(fault)
    client = make_client(api_key=key, attempts=3)
    with pytest.raises(RemoteError) as caught:
        client.list_sources()
    texts = [str(caught.value), repr(caught.value), repr(client), caplog.text]
    secret = key.split("-", 1)[1]
    assert all(secret not in text for text in texts)
    if fault is None:
        assert isinstance(caught.value, AuthError)
        assert "Key: ***" in str(caught.value)


def test_the_metric_endpoints_speak_statsigs_paths_and_ids(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    """A metric's id (`name::type`, with spaces, `/` and `%` allowed in the name) is URL-encoded."""
    fake.seed_sources([source("orders")])
    client = make_client()
    metric_id = "Revenue / user (%)::user_warehouse"
    body = {
        "name": "Revenue / user (%)",
        "type": "user_warehouse",
        "warehouseNative": {"aggregation": "count", "metricSourceName": "orders"},
    }
    assert client.create_metric(body)["id"] == metric_id
    assert client.update_metric(metric_id, {"description": "Per user."})["description"] == "Per user."
    assert client.get_metric(metric_id) == fake.metrics[metric_id]
    client.schedule_metric_archive(metric_id)
    assert fake.archive_scheduled == {metric_id}
    assert client.list_metric_experiments(metric_id) == []
    client.delete_metric(metric_id)
    assert client.get_metric(metric_id) is None
    encoded = "/console/v1/metrics/Revenue%20%2F%20user%20%28%25%29%3A%3Auser_warehouse"
    assert [(r.method, r.path) for r in fake.requests][1:] == [
        ("POST", encoded),
        ("GET", encoded),
        ("PUT", encoded + "/schedule_archive"),
        ("GET", encoded + "/experiments"),
        ("DELETE", encoded),
        ("GET", encoded),
    ]


def test_the_client_logs_every_object_it_reads_while_asked_and_only_then(
    fake: FakeStatsig, make_client: Callable[..., StatsigClient]
) -> None:
    """What a saved plan fingerprints: lists across pages, single reads, every kind; writes are not reads."""
    fake.seed_sources([source(f"s{i}") for i in range(4)])
    fake.seed_metrics([make_metric("m", "s0")])
    client = make_client()  # three to a page
    client.list_sources()
    with client.reads_logged() as reads:
        client.list_sources()
        client.get_metric("m::user_warehouse")
        client.get_source("absent")
        client.update_source("s1", source("s1", description="changed"))
        client.list_metric_experiments("m::user_warehouse")
    client.list_metrics()
    assert [(kind, item.get("name")) for kind, item in reads] == [
        *(("source", f"s{i}") for i in range(4)),
        ("metric", "m"),
    ]
