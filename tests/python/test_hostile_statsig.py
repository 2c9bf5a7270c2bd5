"""StatsigClient against a server that misbehaves on purpose: trickled answers, endless pages, waits
that never end, wrong types, redirects, and the key echoed in every case and encoding."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from hostile_statsig import HostileServer, Reply, Seen, envelope

from statsig_sources.statsig.api import AuthError, StatsigClient
from statsig_sources.statsig.deadlines import Deadline
from statsig_sources.support.errors import ExitCode, RemoteError

# A key whose URL-encoded and JSON-escaped forms differ from it.
SPICY_KEY = 'console-Ab/c+d=e%f"g\\h~iJ'
SOURCE = {"name": "events", "sql": "select 1", "timestampColumn": "ts", "idTypeMapping": []}
SOURCES_LIST = "GET /metrics/metric_source/list?page=1&limit=100"


class FakeClock:
    """A monotonic clock that only the client's sleeps move."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def client_for(server: HostileServer, key: str = SPICY_KEY, **options: Any) -> StatsigClient:
    options.setdefault("backoff", 0.0)
    options.setdefault("sleep", lambda seconds: None)
    return StatsigClient(key, base_url=server.url, **options)


def variants(key: str) -> list[str]:
    """The key as a server may echo it: each case, URL-encoded, JSON-escaped."""
    cases = [key, key.upper(), key.lower(), key.swapcase()]
    forms = [quote(key, safe=""), quote_plus(key), json.dumps(key)[1:-1], quote(key.upper(), safe="")]
    every_char = ["".join(f"%{ord(c):02X}" for c in key), "".join(f"\\u{ord(c):04x}" for c in key)]
    return cases + forms + [json.dumps(key.upper())[1:-1], *every_char]


def leaked(text: str, key: str = SPICY_KEY) -> list[str]:
    """Variants of the key's secret part (after its `console-`-like prefix) found in `text`."""
    lowered = text.lower()
    return [variant for variant in variants(key.split("-", 1)[1]) if variant.lower() in lowered]


# --- bounded time ---------------------------------------------------------------------------------


def test_a_trickled_answer_stops_at_the_request_deadline() -> None:
    body = json.dumps({"message": "ok", "data": [], "pagination": None}).encode()
    with HostileServer(lambda seen: Reply(200, body, trickle=0.05)) as server:
        client = client_for(server, request_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(RemoteError) as caught:
            client.list_sources()
        took = time.monotonic() - started
    message = str(caught.value)
    assert message.startswith(f"Statsig did not finish answering {SOURCES_LIST}: stopped after 0.5")
    assert message.endswith(
        "at the request deadline of 0.5 s (--request-timeout or STATSIG_REQUEST_TIMEOUT). Safe to rerun."
    )
    assert caught.value.exit_code is ExitCode.REMOTE
    assert took < 5  # the whole answer would take over 7 s at one byte every 50 ms


def test_the_command_deadline_stops_before_the_next_request() -> None:
    clock = FakeClock()
    pages = {"1": "2", "2": "3", "3": None}

    def script(seen: Seen) -> Reply:
        clock.now += 60  # each page "takes" 60 s of the command's 100
        following = pages[seen.query["page"]]
        next_page = f"/console/v1/metrics/metric_source/list?page={following}" if following else None
        return envelope([{**SOURCE, "name": f"s{seen.query['page']}"}], next_page=next_page, total=3)

    with HostileServer(script) as server:
        client = client_for(server, clock=clock, deadline=Deadline(100, clock))
        with pytest.raises(RemoteError) as caught:
            client.list_sources()
    assert str(caught.value) == (
        "Stopped before GET /metrics/metric_source/list?page=3&limit=100: the command's deadline of "
        "100 s has passed (--command-timeout or STATSIG_COMMAND_TIMEOUT). Safe to rerun."
    )
    assert [seen.query["page"] for seen in server.requests] == ["1", "2"]


def test_a_library_client_has_no_command_deadline_unless_given_one() -> None:
    clock = FakeClock()
    with HostileServer(lambda seen: envelope([SOURCE], total=1)) as server:
        client = client_for(server, clock=clock)
        client.list_sources()
        clock.now += 100_000  # a long-lived process: the CLI's commands always pass a deadline
        assert client.list_sources() == [SOURCE]


@pytest.mark.parametrize(
    ("total", "expected_pages", "why"),
    [
        (5, 7, "more than the 5 items Statsig reported (totalItems) need at 1 per page"),
        (None, 1000, "the most this tool follows when Statsig gives no totalItems (1,000)"),
    ],
    ids=["bound-from-totalItems", "fallback-bound"],
)
def test_a_list_whose_next_page_never_ends_stops_at_a_bound(
    total: int | None, expected_pages: int, why: str
) -> None:
    def script(seen: Seen) -> Reply:
        page = int(seen.query["page"])
        following = f"/console/v1/metrics/metric_source/list?page={page + 1}&limit=1"
        return envelope([{**SOURCE, "name": f"s{page}"}], next_page=following, total=total)

    with HostileServer(script) as server:
        with pytest.raises(RemoteError) as caught:
            client_for(server).list_sources()
    assert str(caught.value) == (
        f"Statsig kept offering another page of GET /metrics/metric_source/list: stopped after "
        f"{expected_pages:,} pages, {why}. Safe to rerun."
    )
    assert len(server.requests) == expected_pages


@pytest.mark.parametrize(
    ("retry_after", "expected_waits", "tail"),
    [
        ("30", [30.0], "after 2 attempt(s) and 30 s of waiting in all; waiting 30 s more would pass"),
        ("120", [], "after 1 attempt(s) and 0 s of waiting in all; waiting 120 s more would pass"),
    ],
)
def test_retry_after_waits_are_bounded_by_the_request_deadline(
    retry_after: str, expected_waits: list[float], tail: str
) -> None:
    clock = FakeClock()
    reply = Reply(429, {"status": 429, "message": "slow down"}, {"Retry-After": retry_after})
    with HostileServer(lambda seen: reply) as server:
        client = client_for(server, clock=clock, sleep=clock.sleep, request_timeout=60, attempts=10)
        with pytest.raises(RemoteError) as caught:
            client.get_source("events")
    assert str(caught.value) == (
        f"Statsig kept failing: GET /metrics/metric_source/events gave HTTP 429 {tail} the request "
        "deadline of 60 s (--request-timeout or STATSIG_REQUEST_TIMEOUT). Safe to rerun."
    )
    assert clock.waits == expected_waits
    assert len(server.requests) == len(expected_waits) + 1


# --- wrong shapes, redirects -----------------------------------------------------------------------

MALFORMED = [
    ("list_sources", ["x"], "GET /metrics/metric_source/list", "data[0] is a string, not an object"),
    ("list_sources", [None], "GET /metrics/metric_source/list", "data[0] is null, not an object"),
    ("list_sources", {"a": 1}, "GET /metrics/metric_source/list", "`data` is an object, not a list"),
    (
        "list_sources",
        [{**SOURCE, "idTypeMapping": "x"}],
        "GET /metrics/metric_source/list",
        "data[0].idTypeMapping is a string, not a list",
    ),
    (
        "list_sources",
        [{**SOURCE, "idTypeMapping": [{"statsigUnitID": 7, "column": "c"}]}],
        "GET /metrics/metric_source/list",
        "data[0].idTypeMapping[0].statsigUnitID is a number, not a string",
    ),
    (
        "list_sources",
        [SOURCE, {**SOURCE, "tags": "managed-by:statsig-sources:shop"}],
        "GET /metrics/metric_source/list",
        "data[1].tags is a string, not a list",
    ),
    ("list_sources", [{"sql": "x"}], "GET /metrics/metric_source/list", "data[0].name is missing"),
    (
        "list_metrics",
        [{"name": "m", "warehouseNative": {"criteria": ["country"]}}],
        "GET /metrics/list",
        "data[0].warehouseNative.criteria[0] is a string, not an object",
    ),
    (
        "list_metrics",
        [{"name": "m", "isHidden": "yes"}],
        "GET /metrics/list",
        "data[0].isHidden is a string, not a boolean",
    ),
]


@pytest.mark.parametrize(("method", "data", "target", "found"), MALFORMED)
def test_malformed_answers_are_remote_errors_naming_the_endpoint(
    method: str, data: Any, target: str, found: str
) -> None:
    with HostileServer(lambda seen: envelope(data)) as server:
        with pytest.raises(RemoteError) as caught:
            getattr(client_for(server), method)()
    assert str(caught.value) == f"Statsig's answer to {target} is not what its API documents: {found}."
    assert caught.value.exit_code is ExitCode.REMOTE


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"not json", "something other than a JSON object"),
        (b"[" * 200_000, "something other than a JSON object"),
        (json.dumps({"message": "ok", "data": "x"}).encode(), "data is a string, not an object"),
    ],
    ids=["not-json", "deeply-nested", "data-not-an-object"],
)
def test_a_single_source_answer_of_another_shape_is_a_remote_error(body: bytes, expected: str) -> None:
    with HostileServer(lambda seen: Reply(200, body)) as server:
        with pytest.raises(RemoteError, match=expected):
            client_for(server).get_source("events")


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_a_success(status: int) -> None:
    reply = Reply(status, b"", {"Location": "https://elsewhere.example/console/v1/x"})
    with HostileServer(lambda seen: reply) as server:
        client = client_for(server)
        with pytest.raises(RemoteError) as caught:
            client.create_source(SOURCE)
    assert str(caught.value) == (
        f"Statsig answered POST /metrics/metric_source with a redirect (HTTP {status} to "
        "https://elsewhere.example/console/v1/x), which is not followed: check --api-url "
        "(or STATSIG_API_URL)."
    )
    assert len(server.requests) == 1


# --- the key, echoed in every variant -----------------------------------------------------------

ECHOES: list[tuple[str, Callable[[str], Reply]]] = [
    ("message", lambda echo: Reply(401, {"status": 401, "message": f"Invalid key: {echo}"})),
    (
        "errors",
        lambda echo: Reply(
            400, {"status": 400, "message": "Invalid.", "errors": [{"property": "key", "errorMessage": echo}]}
        ),
    ),
    ("reason-phrase", lambda echo: Reply(403, b"", reason=f"Forbidden for {echo}")),
    ("location-header", lambda echo: Reply(302, b"", {"Location": f"https://x.example/?key={echo}"})),
    ("retries", lambda echo: Reply(503, {"status": 503, "message": echo})),
]


# A Console key, and a server key sent by mistake (no `console-` shape to fall back on).
KEYS = [SPICY_KEY, 'secret-Xy/z+w=v%u"t\\s~rQ']


@pytest.mark.parametrize("key", KEYS, ids=["console-key", "other-key"])
@pytest.mark.parametrize("variant", range(len(variants(SPICY_KEY))), ids=lambda i: f"variant-{i}")
@pytest.mark.parametrize(("where", "make_reply"), ECHOES, ids=[where for where, _ in ECHOES])
def test_the_key_is_redacted_in_every_variant_wherever_it_is_echoed(
    caplog: pytest.LogCaptureFixture, key: str, variant: int, where: str, make_reply: Callable[[str], Reply]
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = make_reply(variants(key)[variant])
    with HostileServer(lambda seen: reply) as server:
        client = client_for(server, key=key, attempts=2)
        with pytest.raises(RemoteError) as caught:
            client.list_sources()
        client.close()
    texts = [str(caught.value), repr(caught.value), repr(client), caplog.text]
    assert [leaked(text, key) for text in texts] == [[], [], [], []]
    assert "***" in str(caught.value) or where == "retries"
    if where == "message":
        assert isinstance(caught.value, AuthError)


def test_the_key_is_redacted_from_data_statsig_answers() -> None:
    metric = {"id": "m::user_warehouse", "name": "m", "description": f"pasted {SPICY_KEY.upper()} here"}
    with HostileServer(lambda seen: envelope([metric])) as server:
        [answer] = client_for(server).list_metrics()
    assert answer["description"] == "pasted *** here"


def test_lone_surrogates_in_answers_become_replacement_characters() -> None:
    raw = b'{"message": "ok", "data": [{"id": "m", "name": "bad \\ud800 name"}], "pagination": null}'
    with HostileServer(lambda seen: Reply(200, raw)) as server:
        [answer] = client_for(server).list_metrics()
    assert answer["name"] == "bad \ufffd name"
