"""A stand-in for Statsig's Console API on loopback: strict and faithful to its OpenAPI documents.

Same envelope (`{message, data}`, lists with a `pagination` object whose `nextPage` is a path string,
1-based pages), error bodies `{status, message, errors?}`, 401 for a missing or non-`console-` key
(echoing the key, as Statsig's message does), 404 for unknown names, duplicate names refused, request
bodies validated against the OpenAPI schemas. Every answer carries the header `X-Statsig-Stand-In: not
Statsig`; bodies stay exactly Statsig's. Faults can be injected: latency, scripted 429 / 5xx answers,
dropped connections (before or after the request takes effect) and a server-side mutation rate limiter.
Every request is recorded. State lives in memory, or also in a JSON file rewritten after every change.
The HTTP plumbing is in handler.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from statsig_sources.standin.envelope import INVALID, Drop, Reply, error
from statsig_sources.standin.handler import STAND_IN_HEADER, Handler, IPv6Server, Malformed, is_loopback
from statsig_sources.standin.pulse import FINISHED_STATES
from statsig_sources.standin.routes import PREFIX, route
from statsig_sources.standin.schemas import problems
from statsig_sources.standin.seed import SeedError, seed
from statsig_sources.standin.state import (
    SOURCE_DEFAULTS,
    Fault,
    Load,
    PulseState,
    Recorded,
    State,
    complete_experiment,
    state_document,
    write_state,
)
from statsig_sources.support.errors import InputError

__all__ = ["SOURCE_DEFAULTS", "STAND_IN_HEADER", "FakeStatsig", "Fault", "Recorded"]

MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FakeStatsig:
    """Start with `with FakeStatsig() as fake:`; point clients at `fake.url`. Its endpoints use it as
    service.StandIn describes; result loads: pulse.py."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: tuple[int, float] | None = None,
        known_tags: Iterable[str] | None = None,
        strict: bool = True,
        default_page_size: int = 10,
        on_store: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: Path | None = None,
        allow_non_loopback: bool = False,
    ) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        self.known_tags = set(known_tags) if known_tags is not None else None
        self.strict = strict
        self.default_page_size = default_page_size
        self.on_store = on_store  # what Statsig does to a stored source (read-back drift)
        self.host, self.port = host, port
        self.allow_non_loopback = allow_non_loopback
        self.state_path = state_path
        self.lock = threading.RLock()
        self.state = State()
        self.pulse = PulseState()  # result loads, in memory only (not in the state file)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        if state_path is not None and state_path.exists():
            seed(self, state_path)

    # --- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> FakeStatsig:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on `host:port` (port 0: any free port) and serve from a daemon thread."""
        if not (self.allow_non_loopback or is_loopback(self.host)):
            raise InputError(f"{self.host} is not a loopback address; the stand-in listens on one only.")
        handler = type("Handler", (Handler,), {"fake": self})
        server_class = IPv6Server if ":" in self.host else ThreadingHTTPServer
        try:
            self._server = server_class((self.host, self.port), handler)
        except OSError as error:
            raise InputError(f"Cannot listen on {self.host}:{self.port}: {error.strerror}.") from None
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        self.persist()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @staticmethod
    def now_ms() -> int:
        """Statsig's timestamps: milliseconds since the epoch."""
        return int(time.time() * 1000)

    @property
    def url(self) -> str:
        """The base URL, `http://<host>:<port>/console/v1`, as STATSIG_API_URL takes it."""
        assert self._server is not None, "start the stand-in first"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}{PREFIX}"

    # --- seeding and inspection -------------------------------------------------------------------

    def seed_sources(self, sources: Iterable[dict[str, Any]]) -> None:
        with self.lock:
            for source in sources:
                self.state.sources[source["name"]] = self.stored_source(source, seeding=True)
            self.persist()

    def seed_metrics(self, metrics: Iterable[dict[str, Any]], *, strict: bool = False) -> None:
        """Metrics as Statsig lists them; unknown fields are allowed unless `strict`, since Statsig's
        answers may carry fields its document does not list."""
        with self.lock:
            for metric in metrics:
                found = problems("ExternalMetricDefinitionContractDto", metric, strict=strict)
                if found:
                    raise SeedError(f"not a valid metric: {found}")
                self.state.metrics.append(metric)
            self.persist()

    def seed_experiments(self, experiments: Iterable[dict[str, Any]]) -> None:
        """Experiments, completed with Statsig's bookkeeping fields (see state.EXPERIMENT_DEFAULTS)."""
        with self.lock:
            for given in experiments:
                experiment = complete_experiment(given)
                found = problems("ExternalExperimentDto", experiment, strict=self.strict)
                if found:
                    raise SeedError(f"not a valid experiment: {found}")
                self.state.experiments[experiment["id"]] = experiment
            self.persist()

    def seed_file(self, path: Path) -> dict[str, int]:
        """Seeds from a YAML or JSON file (see seed.py); how many entries of each kind it held."""
        return seed(self, path)

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.state.faults.extend(faults)

    def persist(self) -> None:
        """Rewrites the state file, if there is one (called after every change)."""
        if self.state_path is not None:
            with self.lock:
                write_state(self.state_path, state_document(self.state))

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {name: dict(source) for name, source in self.state.sources.items()}

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        """Metrics by id."""
        with self.lock:
            return {str(metric.get("id")): dict(metric) for metric in self.state.metrics}

    @property
    def archive_scheduled(self) -> set[str]:
        """Ids of the metrics whose archive is scheduled (Statsig's metric itself shows nothing)."""
        with self.lock:
            return set(self.state.archive_scheduled)

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

    def stored_source(self, source: dict[str, Any], seeding: bool = False) -> dict[str, Any]:
        stored = {**SOURCE_DEFAULTS, **{k: v for k, v in source.items() if k != "dryRun"}}
        if self.on_store is not None and not seeding:
            stored = self.on_store(stored)
        found = problems("MetricSourceContractDto", stored, strict=self.strict)
        if found and seeding:
            raise SeedError(f"not a valid metric source: {found}")
        assert not found, f"the stand-in would answer an invalid MetricSourceContractDto: {found}"
        return stored

    # --- result loads (pulse.py) -----------------------------------------------------------------------

    def script_loads(self, experiment_id: str, *states: str | None) -> None:
        """How the experiment's next loads end, in order (None: still running); then `success`."""
        unknown = [state for state in states if state is not None and state not in FINISHED_STATES]
        if unknown:
            raise ValueError(f"finishedState must be one of {', '.join(FINISHED_STATES)}: {unknown}")
        with self.lock:
            self.pulse.scripted.setdefault(experiment_id, []).extend(states)

    def refuse_loads(self, experiment_id: str, message: str, status: int = 400) -> None:
        """Answer every load of this experiment with `status` and `message` (Statsig's error body)."""
        with self.lock:
            self.pulse.refused[experiment_id] = (status, message)

    def seed_load_history(self, experiment_id: str, loads: list[dict[str, Any]]) -> None:
        """Loads from before (PulseLoadHistoryDto each, validated strictly), newest first."""
        for load in loads:
            found = problems("PulseLoadHistoryDto", load)
            if found:
                raise ValueError(f"not a valid PulseLoadHistoryDto: {found}")
        with self.lock:
            self.pulse.history.setdefault(experiment_id, []).extend(loads)

    @property
    def loads(self) -> list[Load]:
        """Every load the stand-in accepted, in order."""
        with self.lock:
            return list(self.pulse.loads)

    # --- request handling (called from the handler's thread) ----------------------------------------

    def handle(self, method: str, raw_path: str, headers: Any, body: Any) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query)
        arrived = time.monotonic()
        status, payload, extra = 0, None, {}
        try:
            self._check_fault(method, parts.path)
            self._check_key(headers.get("STATSIG-API-KEY"))
            if isinstance(body, Malformed):
                raise error(400, INVALID, [{"property": "(body)", "errorMessage": body.reason}])
            self._check_rate(method, arrived)
            if self.latency:
                time.sleep(self.latency)
            status, payload = route(self, method, parts.path, query, body)
            self._check_fault(method, parts.path, after=True)
        except Reply as reply:
            status, payload, extra = reply.status, reply.body, reply.headers
        finally:
            recorded_query = {key: values[-1] for key, values in query.items()}
            with self.lock:
                seen = None if isinstance(body, Malformed) else body
                self.state.requests.append(
                    Recorded(method, parts.path, recorded_query, seen, arrived, status)
                )
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
            raise Drop()
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        raise Reply(fault.status, {"status": fault.status, "message": "Injected failure."}, headers)

    def _check_key(self, key: str | None) -> None:
        if not key or not key.startswith("console-"):
            message = (
                f"This endpoint only accepts an active CONSOLE key, but an invalid key was sent. Key: {key}"
            )
            raise Reply(401, {"status": 401, "message": message})

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
                raise Reply(429, body, {"Retry-After": f"{wait:.3f}"})
            accepted.append(now)
