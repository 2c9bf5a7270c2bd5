"""A fake Statsig Console API on 127.0.0.1: strict and faithful to STATSIG_API.md.

Same envelope (`{message, data}`, lists with a `pagination` object whose `nextPage` is a path string,
1-based pages), error bodies `{status, message, errors?}`, 401 for a missing or non-`console-` key
(echoing the key, as Statsig's message does), 404 for unknown names, duplicate names refused, request
bodies validated against the OpenAPI schemas. Faults can be injected: latency, scripted 429 / 5xx
answers, dropped connections (before or after the request takes effect) and a server-side mutation
rate limiter. Every request is recorded.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fake_statsig.schemas import problems

PREFIX = "/console/v1"
MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SOURCE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "tags": [],
    "sourceType": "query",
    "tableName": "",
    "timestampAsDay": False,
    "customFieldMapping": [],
    "isReadOnly": False,
    "isVerified": False,
}


@dataclass
class Fault:
    """One scripted misbehaviour for the next request matching `method` and `path_contains`.

    kind: "status" (answer `status` with an error body and `retry_after`), "drop" (close the socket
    before the request takes effect) or "drop_after" (let it take effect, then close without answering).
    """

    kind: str
    status: int = 503
    retry_after: str | None = None
    method: str | None = None
    path_contains: str = ""
    times: int = 1


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float
    answered: int  # HTTP status, or 0 for a dropped connection


@dataclass
class _State:
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    accepted_mutations: deque[float] = field(default_factory=deque)


class _Reply(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class _Drop(Exception):
    pass


class FakeStatsig:
    """Start with `with FakeStatsig() as fake:`; point clients at `fake.url`."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: tuple[int, float] | None = None,
        known_tags: Iterable[str] | None = None,
        strict: bool = True,
        default_page_size: int = 10,
        on_store: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        self.known_tags = set(known_tags) if known_tags is not None else None
        self.strict = strict
        self.default_page_size = default_page_size
        self.on_store = on_store  # what Statsig does to a stored source (read-back drift)
        self.lock = threading.RLock()
        self.state = _State()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> FakeStatsig:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}{PREFIX}"

    # --- seeding and inspection -------------------------------------------------------------------

    def seed_sources(self, sources: Iterable[dict[str, Any]]) -> None:
        with self.lock:
            for source in sources:
                self.state.sources[source["name"]] = self._stored(source)

    def seed_metrics(self, metrics: Iterable[dict[str, Any]]) -> None:
        with self.lock:
            for metric in metrics:
                found = problems("ExternalMetricDefinitionContractDto", metric, strict=False)
                if found:
                    raise ValueError(f"not a valid metric: {found}")
                self.state.metrics.append(metric)

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.state.faults.extend(faults)

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {name: dict(source) for name, source in self.state.sources.items()}

    @property
    def requests(self) -> list[Recorded]:
        with self.lock:
            return list(self.state.requests)

    def count(self, method: str | None = None, path_contains: str = "", status: int | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method)
            and path_contains in r.path
            and (status is None or r.answered == status)
        )

    @property
    def mutations(self) -> int:
        return sum(1 for r in self.requests if r.method in MUTATIONS)

    @property
    def throttled(self) -> int:
        return self.count(status=429)

    def _stored(self, source: dict[str, Any]) -> dict[str, Any]:
        stored = {**SOURCE_DEFAULTS, **{k: v for k, v in source.items() if k != "dryRun"}}
        if self.on_store is not None:
            stored = self.on_store(stored)
        found = problems("MetricSourceContractDto", stored, strict=self.strict)
        assert not found, f"the fake would answer an invalid MetricSourceContractDto: {found}"
        return stored

    # --- request handling (called from the handler's thread) ----------------------------------------

    def handle(self, method: str, raw_path: str, headers: Any, body: Any) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query))
        arrived = time.monotonic()
        status, payload, extra = 0, None, {}
        try:
            self._check_fault(method, parts.path)
            self._check_key(headers.get("STATSIG-API-KEY"))
            self._check_rate(method, arrived)
            if self.latency:
                time.sleep(self.latency)
            status, payload = self._route(method, parts.path, query, body)
            self._check_fault(method, parts.path, after=True)
        except _Reply as reply:
            status, payload, extra = reply.status, reply.body, reply.headers
        finally:
            with self.lock:
                self.state.requests.append(Recorded(method, parts.path, query, body, arrived, status))
        return status, payload, extra

    def _take_fault(self, method: str, path: str, kinds: set[str]) -> Fault | None:
        with self.lock:
            for fault in self.state.faults:
                if fault.kind in kinds and fault.method in (None, method) and fault.path_contains in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.state.faults.remove(fault)
                    return fault
        return None

    def _check_fault(self, method: str, path: str, after: bool = False) -> None:
        fault = self._take_fault(method, path, {"drop_after"} if after else {"drop", "status"})
        if fault is None:
            return
        if fault.kind != "status":
            raise _Drop()
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        raise _Reply(fault.status, {"status": fault.status, "message": "Injected failure."}, headers)

    def _check_key(self, key: str | None) -> None:
        if not key or not key.startswith("console-"):
            message = (
                f"This endpoint only accepts an active CONSOLE key, but an invalid key was sent. Key: {key}"
            )
            raise _Reply(401, {"status": 401, "message": message})

    def _check_rate(self, method: str, now: float) -> None:
        if self.rate_limit is None or method not in MUTATIONS:
            return
        limit, seconds = self.rate_limit
        with self.lock:
            accepted = self.state.accepted_mutations
            while accepted and accepted[0] <= now - seconds:
                accepted.popleft()
            if len(accepted) >= limit:
                wait = accepted[0] + seconds - now
                body = {"status": 429, "message": "Too many requests."}
                raise _Reply(429, body, {"Retry-After": f"{wait:.3f}"})
            accepted.append(now)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        from fake_statsig.routes import route

        return route(self, method, path, query, body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeStatsig

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and delayed
        # ACKs add ~40 ms to every answer on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = _Unparsable()
        try:
            status, payload, extra = self.fake.handle(self.command, self.path, self.headers, body)
        except _Drop:
            self.close_connection = True
            return
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _Unparsable:
    """A request body that was not JSON."""
