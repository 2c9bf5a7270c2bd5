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
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from statsig_sources.client.answers import AlreadyExistsError, ApiError, AuthError
from statsig_sources.client.connection import DEFAULT_API_URL, check_api_key, check_api_url
from statsig_sources.client.deadlines import (
    DEFAULT_READ_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
    Deadline,
)
from statsig_sources.client.experiments import ExperimentsApi
from statsig_sources.client.http import parse_retry_after
from statsig_sources.client.shapes import METRIC, PAGINATION, SOURCE, Shape, describe, problem
from statsig_sources.client.throttle import Throttle
from statsig_sources.client.transport import Policy, Transport
from statsig_sources.core.errors import InputError, RemoteError
from statsig_sources.core.redaction import RedactingFilter, Redactor

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "AuthError",
    "StatsigClient",
    "check_api_key",
    "check_api_url",
    "parse_retry_after",
]

DEFAULT_PAGE_SIZE = 100
DEFAULT_TIMEOUT = DEFAULT_READ_TIMEOUT
SOURCE_PATH = "/metrics/metric_source"
PAGE_SLACK = 2  # pages beyond what totalItems needs (items created while listing)
MAX_PAGES = 1_000  # the most pages followed when Statsig gives no totalItems


class StatsigClient(ExperimentsApi):
    """Statsig Console API client (experiment calls: experiments.py). Pass `http` (an httpx.Client) or
    `transport` for tests.

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

    def redact(self, text: str) -> str:
        """`text` with the key (in any case or encoding) and anything shaped like a key masked."""
        return self._transport.redact(text)

    # --- metric sources -------------------------------------------------------------------------

    def list_sources(self) -> list[dict[str, Any]]:
        return self._paginate(f"{SOURCE_PATH}/list", SOURCE)

    def get_source(self, name: str) -> dict[str, Any] | None:
        """The source named `name`, or None when Statsig answers 404."""
        path = _source_path(name)
        try:
            body = self._transport.request("GET", path)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return self._checked(body.get("data"), SOURCE, f"GET {path}")

    def create_source(self, payload: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        body = {**payload, "dryRun": True} if dry_run else dict(payload)
        return _data(self._transport.request("POST", SOURCE_PATH, body=body))

    def update_source(
        self, name: str, payload: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        """POST to /metrics/metric_source/{name}; the name is immutable, so it is not sent."""
        body = {key: value for key, value in payload.items() if key != "name"}
        if dry_run:
            body["dryRun"] = True
        return _data(self._transport.request("POST", _source_path(name), body=body))

    def delete_source(self, name: str) -> None:
        self._transport.request("DELETE", _source_path(name))

    def list_source_metrics(self, name: str) -> list[dict[str, Any]]:
        """Metrics that use the source (Statsig decides which fields count)."""
        return self._paginate(f"{_source_path(name)}/metrics", METRIC)

    def list_metrics(self) -> list[dict[str, Any]]:
        """Every metric, hidden ones included."""
        return self._paginate("/metrics/list", METRIC, {"showHiddenMetrics": "true"})

    # --- lists ----------------------------------------------------------------------------------

    def _paginate(
        self, path: str, shape: Shape, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Follow `pagination.nextPage` to the end, keeping our own parameters on every page.

        `nextPage` is a path such as `/console/v1/...?page=2&limit=50`; only its page number is
        taken, and the request goes to our base URL (which may be a proxy with another prefix). The
        number of pages is bounded by `totalItems` (plus slack), or by `MAX_PAGES` without it.
        """
        query = {**(params or {}), "page": "1", "limit": str(self.page_size)}
        items: list[dict[str, Any]] = []
        seen = {query["page"]}
        bound: int | None = None
        while True:
            data, pagination = self._page(path, self._transport.request("GET", path, params=query), shape)
            items.extend(data)
            next_page = pagination.get("nextPage")
            if not next_page or not data:
                return items
            if bound is None:
                bound = _page_bound(pagination, len(data))
            if len(seen) >= bound:
                raise RemoteError(self.redact(_endless(path, len(seen), pagination, len(data))))
            page = dict(parse_qsl(urlsplit(str(next_page)).query)).get("page", "")
            if not page.isdigit() or page in seen:
                what = f"repeats page {page}" if page in seen else f"offers a next page {next_page!r}"
                raise RemoteError(self.redact(f"Statsig's pagination of GET {path} {what}; stopped."))
            seen.add(page)
            query = {**query, "page": page}

    def _page(
        self, path: str, body: Mapping[str, Any], shape: Shape
    ) -> tuple[list[dict[str, Any]], Mapping[str, Any]]:
        data = body.get("data")
        pagination = body.get("pagination")
        if not isinstance(data, list):
            found: str | None = f"`data` is {describe(data)}, not a list"
        else:
            found = problem(data, Shape((list,), items=shape), "data")
        if found is None and pagination is not None:
            found = problem(pagination, PAGINATION, "pagination")
        if found is not None:
            raise RemoteError(self.redact(_malformed(f"GET {path}", found)))
        return list(data), pagination or {}  # type: ignore[arg-type]  # shapes checked above

    def _checked(self, data: Any, shape: Shape, target: str) -> dict[str, Any]:
        found = problem(data, shape, "data")
        if found is not None:
            raise RemoteError(self.redact(_malformed(target, found)))
        return dict(data)


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


def _data(body: Mapping[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    return dict(data) if isinstance(data, dict) else {}


def _total(pagination: Mapping[str, Any]) -> float | None:
    total = pagination.get("totalItems")
    if isinstance(total, bool) or not isinstance(total, (int, float)):
        return None
    return float(total) if math.isfinite(total) and total >= 0 else None


def _page_bound(pagination: Mapping[str, Any], per_page: int) -> int:
    """The most pages a list may take: what `totalItems` needs at this page size, plus slack."""
    total = _total(pagination)
    if total is None:
        return MAX_PAGES
    return math.ceil(total / max(1, per_page)) + PAGE_SLACK


def _endless(path: str, pages: int, pagination: Mapping[str, Any], per_page: int) -> str:
    total = _total(pagination)
    if total is None:
        why = f"the most this tool follows when Statsig gives no totalItems ({MAX_PAGES:,})"
    else:
        why = f"more than the {total:,.0f} items Statsig reported (totalItems) need at {per_page} per page"
    return (
        f"Statsig kept offering another page of GET {path}: stopped after {pages:,} pages, {why}. "
        "Safe to rerun."
    )


def _malformed(target: str, found: str) -> str:
    return f"Statsig's answer to {target} is not what its API documents: {found}."


def _source_path(name: str) -> str:
    return f"{SOURCE_PATH}/{quote(name, safe='')}"
