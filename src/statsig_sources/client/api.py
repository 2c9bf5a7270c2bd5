"""The Statsig Console API client, the only code that talks to Statsig, over an injected httpx client.

Faithful to Statsig's Console API (its OpenAPI documents ship in src/statsig_sources/standin/openapi/):
the `STATSIG-API-KEY` and `STATSIG-API-VERSION` headers, the `{message, data, pagination}` envelope,
lists followed to their last page with an explicit `limit`.
Requests, retries and deadlines are `transport.py`'s job.

Hostile answers stop here: every answer is checked against the shapes this tool reads (`shapes.py`)
before anything else sees it, and a list stops at a bound derived from `totalItems` (or a fixed one
without it). The key and the URL are checked before any request (`connection.py`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from statsig_sources.client.answers import AlreadyExistsError, ApiError, AuthError, MalformedAnswer
from statsig_sources.client.connection import DEFAULT_API_URL, check_api_key, check_api_url
from statsig_sources.client.deadlines import (
    DEFAULT_READ_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
    Deadline,
)
from statsig_sources.client.experiments import ExperimentsApi
from statsig_sources.client.http import parse_retry_after
from statsig_sources.client.metric_calls import MetricEndpoints
from statsig_sources.client.paging import data_of
from statsig_sources.client.shapes import METRIC, SOURCE
from statsig_sources.client.throttle import Throttle
from statsig_sources.client.transport import Policy, Transport
from statsig_sources.core.errors import InputError
from statsig_sources.core.redaction import RedactingFilter, Redactor

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "AuthError",
    "MalformedAnswer",
    "StatsigClient",
    "check_api_key",
    "check_api_url",
    "parse_retry_after",
]

DEFAULT_PAGE_SIZE = 100
DEFAULT_TIMEOUT = DEFAULT_READ_TIMEOUT
SOURCE_PATH = "/metrics/metric_source"


class StatsigClient(MetricEndpoints, ExperimentsApi):
    """Statsig Console API client (metric calls: metric_calls.py; experiment calls: experiments.py).
    Pass `http` (an httpx.Client) or `transport` for tests.

    `timeout` bounds each read, `request_timeout` one request (every attempt and every wait between
    attempts), `deadline` everything the client does (default: none; the CLI always sets one).

    Example:

        with StatsigClient(key, base_url="http://127.0.0.1:8080/console/v1") as client:
            sources = client.list_sources()
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_API_URL,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        timeout: float = DEFAULT_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        deadline: Deadline | None = None,
        attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        throttle: Throttle | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        key = check_api_key(api_key)
        base_url = _check_settings(key, base_url, page_size, attempts, (timeout, request_timeout))
        self.page_size = page_size
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(transport=transport)
        policy = Policy(timeout, request_timeout, attempts, backoff, max_backoff)
        self._transport = Transport(
            key,
            base_url,
            self._http,
            policy,
            deadline if deadline is not None else Deadline(math.inf, clock),
            throttle if throttle is not None else Throttle(),
            sleep,
            clock,
        )
        self._log_filter = RedactingFilter(self._transport.redactor)
        self._log_filter.install()

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def throttle(self) -> Throttle:
        return self._transport.throttle

    @property
    def deadline(self) -> Deadline:
        """The command's deadline (apply extends it for the writes it plans)."""
        return self._transport.deadline

    def __repr__(self) -> str:
        return f"StatsigClient(base_url={self.base_url!r}, api_key='***')"

    def __enter__(self) -> StatsigClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._log_filter.remove()
        if self._owns_http:
            self._http.close()

    # --- metric sources -------------------------------------------------------------------------

    def list_sources(self) -> list[dict[str, Any]]:
        return self._paginate(f"{SOURCE_PATH}/list", SOURCE)

    def get_source(self, name: str) -> dict[str, Any] | None:
        """The source named `name`, or None when Statsig answers 404."""
        return self._found(_source_path(name), SOURCE)

    def create_source(self, payload: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        body = {**payload, "dryRun": True} if dry_run else dict(payload)
        return data_of(self._transport.request("POST", SOURCE_PATH, body=body))

    def update_source(
        self, name: str, payload: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        """POST to /metrics/metric_source/{name}; the name is immutable, so it is not sent."""
        body = {key: value for key, value in payload.items() if key != "name"}
        if dry_run:
            body["dryRun"] = True
        return data_of(self._transport.request("POST", _source_path(name), body=body))

    def delete_source(self, name: str) -> None:
        self._transport.request("DELETE", _source_path(name))

    def list_source_metrics(self, name: str) -> list[dict[str, Any]]:
        """Metrics that use the source (Statsig decides which fields count)."""
        return self._paginate(f"{_source_path(name)}/metrics", METRIC)


def _check_settings(
    key: str, base_url: str, page_size: int, attempts: int, timeouts: tuple[float, ...]
) -> str:
    """The base URL, checked with the rest of the client's settings before any request."""
    try:
        base_url = check_api_url(base_url)
    except InputError as error:
        raise InputError(Redactor(key).text(str(error))) from None
    if page_size < 1 or attempts < 1:
        raise InputError("The page size and the number of attempts must be at least 1.")
    if not all(timeout > 0 for timeout in timeouts):
        raise InputError("Timeouts must be positive numbers of seconds.")
    return base_url


def _source_path(name: str) -> str:
    return f"{SOURCE_PATH}/{quote(name, safe='')}"
