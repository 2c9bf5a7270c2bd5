"""The only module that talks to Statsig: a small Console API client over an injected httpx client.

Faithful to `STATSIG_API.md`: the `STATSIG-API-KEY` and `STATSIG-API-VERSION` headers, the
`{message, data, pagination}` envelope, lists followed to their last page with an explicit `limit`,
429 / 5xx / dropped connections / timeouts retried with exponential backoff that honours
`Retry-After`, and mutations paced by a client-side `Throttle` under the documented limits.

The API key never leaves this module except in the request header: the client's repr hides it, and
every message built from a response (Statsig's 401 echoes the key it was sent) is redacted.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from statsig_sources.errors import InputError, RemoteError
from statsig_sources.throttle import Throttle

DEFAULT_API_URL = "https://statsigapi.net/console/v1"
API_VERSION = "20240601"
DEFAULT_PAGE_SIZE = 100
DEFAULT_TIMEOUT = 10.0  # seconds, as the Terraform provider uses
MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SOURCE_PATH = "/metrics/metric_source"

logger = logging.getLogger(__name__)
_KEY_SHAPE = re.compile(r"console-[A-Za-z0-9_\-]+")


class ApiError(RemoteError):
    """Statsig refused a request (4xx other than auth); `errors` holds its property messages."""

    def __init__(self, message: str, status: int, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors


class AuthError(RemoteError):
    """401 or 403: the key is missing, not a Console key, or lacks the rights."""


class AlreadyExistsError(ApiError):
    """A create refused because the name is taken (status and wording are not documented)."""


class _Transient(Exception):
    """A failure worth retrying; `retry_after` is the server's hint in seconds, if it gave one."""

    def __init__(self, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """`Retry-After` as seconds: a number of seconds (fractions allowed) or an HTTP date."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = now() if now else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


class StatsigClient:
    """Statsig Console API client. Pass `http` (an httpx.Client) or `transport` for tests.

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
        attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        throttle: Throttle | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key:
            raise InputError("No Statsig Console API key: set STATSIG_CONSOLE_API_KEY or pass --api-key.")
        if page_size < 1 or attempts < 1:
            raise InputError("The page size and the number of attempts must be at least 1.")
        self._key = api_key
        self.base_url = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(transport=transport)
        self.page_size = page_size
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.throttle = throttle if throttle is not None else Throttle()
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"StatsigClient(base_url={self.base_url!r}, api_key='***')"

    def __enter__(self) -> StatsigClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # --- metric sources -------------------------------------------------------------------------

    def list_sources(self) -> list[dict[str, Any]]:
        return self._paginate(f"{SOURCE_PATH}/list")

    def get_source(self, name: str) -> dict[str, Any] | None:
        """The source named `name`, or None when Statsig answers 404."""
        try:
            return self._data(self._request("GET", _source_path(name)))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def create_source(self, payload: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        body = {**payload, "dryRun": True} if dry_run else dict(payload)
        return self._data(self._request("POST", SOURCE_PATH, body=body))

    def update_source(
        self, name: str, payload: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        """POST to /metrics/metric_source/{name}; the name is immutable, so it is not sent."""
        body = {key: value for key, value in payload.items() if key != "name"}
        if dry_run:
            body["dryRun"] = True
        return self._data(self._request("POST", _source_path(name), body=body))

    def delete_source(self, name: str) -> None:
        self._request("DELETE", _source_path(name))

    def list_source_metrics(self, name: str) -> list[dict[str, Any]]:
        """Metrics that use the source (Statsig decides which fields count)."""
        return self._paginate(f"{_source_path(name)}/metrics")

    def list_metrics(self) -> list[dict[str, Any]]:
        """Every metric, hidden ones included."""
        return self._paginate("/metrics/list", {"showHiddenMetrics": "true"})

    # --- transport --------------------------------------------------------------------------------

    def _paginate(self, path: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Follow `pagination.nextPage` to the end, keeping our own parameters on every page.

        `nextPage` is a path such as `/console/v1/...?page=2&limit=50`; its query decides the next
        request, sent to our base URL (which may be a proxy with another prefix).
        """
        query = {**(params or {}), "page": "1", "limit": str(self.page_size)}
        items: list[dict[str, Any]] = []
        seen = {query["page"]}
        while True:
            body = self._request("GET", path, params=query)
            data = body.get("data")
            if not isinstance(data, list):
                raise RemoteError(f"Statsig answered GET {path} without a list in `data`.")
            items.extend(data)
            next_page = (body.get("pagination") or {}).get("nextPage")
            if not next_page or not data:
                return items
            query = {**query, **dict(parse_qsl(urlsplit(str(next_page)).query))}
            if query.get("page") in seen:
                raise RemoteError(f"Statsig's pagination of {path} repeats page {query.get('page')}.")
            seen.add(query.get("page", ""))

    def _request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None
    ) -> dict[str, Any]:
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(method, path, params, body)
        except _Transient as exc:
            raise RemoteError(
                f"Statsig kept failing: {method} {path} gave {exc.description} after "
                f"{self.attempts} attempt(s). Safe to rerun."
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, path: str, params: Mapping[str, str] | None, body: Any) -> dict[str, Any]:
        headers = {"STATSIG-API-KEY": self._key, "STATSIG-API-VERSION": API_VERSION}
        try:
            with self.throttle.slot() if method in MUTATIONS else nullcontext():
                response = self._http.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=body,
                    headers=headers,
                    timeout=self.timeout,
                )
        except httpx.TimeoutException:
            raise _Transient(f"no answer within {self.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Transient(f"a connection failure ({type(exc).__name__})") from None
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _Transient(f"HTTP {status}", retry_after)
        if status >= 400:
            raise self._refusal(method, path, response)
        return self._json(method, path, response)

    def _refusal(self, method: str, path: str, response: httpx.Response) -> RemoteError:
        body = self._json(method, path, response, strict=False)
        message = self._redact(str(body.get("message") or response.reason_phrase))
        details = tuple(
            self._redact(f"{item.get('property', '?')}: {item.get('errorMessage', '')}")
            for item in body.get("errors") or ()
            if isinstance(item, dict)
        )
        status = response.status_code
        if status in (401, 403):
            return AuthError(
                f"Statsig refused the API key (HTTP {status}): {message} "
                "Use an active Console API key (it starts with `console-`)."
            )
        text = f"Statsig refused {method} {path} (HTTP {status}): {message}"
        if details:
            text += "\n" + "\n".join(f"  - {line}" for line in details)
        if status in (400, 409) and "already exist" in message.lower():
            return AlreadyExistsError(text, status, details)
        return ApiError(text, status, details)

    def _json(self, method: str, path: str, response: httpx.Response, strict: bool = True) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            return body
        if strict:
            raise RemoteError(f"Statsig answered {method} {path} with something other than a JSON object.")
        return {}

    @staticmethod
    def _data(body: Mapping[str, Any]) -> dict[str, Any]:
        data = body.get("data")
        return dict(data) if isinstance(data, dict) else {}

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, max(self.max_backoff, 120.0))
        return float(min(self.max_backoff, self.backoff * 2 ** (state.attempt_number - 1)))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning("Statsig: %s; retrying in %.2f s", self._redact(str(exc)), wait)

    def _redact(self, text: str) -> str:
        return _KEY_SHAPE.sub("console-***", text.replace(self._key, "***"))


def _source_path(name: str) -> str:
    return f"{SOURCE_PATH}/{quote(name, safe='')}"
