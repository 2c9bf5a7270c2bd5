"""The Statsig Console API client, the only code that talks to Statsig, over one configured httpx client.

Faithful to Statsig's Console API (its OpenAPI documents ship in src/statsig_sources/statsig/openapi/):
the `STATSIG-API-KEY` and `STATSIG-API-VERSION` headers, the `{message, data, pagination}` envelope,
lists followed to their last page with an explicit `limit`.
Requests, retries and deadlines are `transport.py`'s job, over one configured httpx client whose
sockets never wait past a request's deadline (`network.py`); the settings are one frozen value
(`settings.py`).

Hostile answers stop here: every answer is checked against models of what this tool reads (`shapes.py`)
before anything else sees it, and a list stops at a bound derived from `totalItems` (or a fixed one
without it). The settings are checked before any request (`checked_settings`, below). Exception
messages never hold the key; log records are redacted by the filter the CLI installs (`support/redaction.py`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from statsig_sources.statsig.answers import (
    AlreadyExistsError,
    ApiError,
    AuthError,
    MalformedAnswer,
    parse_retry_after,
)
from statsig_sources.statsig.deadlines import Deadline
from statsig_sources.statsig.experiments import ExperimentsApi
from statsig_sources.statsig.metric_calls import MetricEndpoints
from statsig_sources.statsig.network import DeadlineBackend, http_client
from statsig_sources.statsig.paging import data_of
from statsig_sources.statsig.settings import (
    DEFAULT_API_URL,
    DEFAULT_PAGE_SIZE,
    DEFAULT_READ_TIMEOUT,
    ClientSettings,
)
from statsig_sources.statsig.shapes import METRIC, SOURCE
from statsig_sources.statsig.throttle import Throttle
from statsig_sources.statsig.transport import Transport
from statsig_sources.support.errors import InputError
from statsig_sources.support.redaction import SECRETS, Redactor

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "AuthError",
    "ClientSettings",
    "DEFAULT_PAGE_SIZE",
    "MalformedAnswer",
    "StatsigClient",
    "check_api_key",
    "check_api_url",
    "parse_retry_after",
]

DEFAULT_TIMEOUT = DEFAULT_READ_TIMEOUT
SOURCE_PATH = "/metrics/metric_source"


class StatsigClient(MetricEndpoints, ExperimentsApi):
    """Statsig Console API client (metric calls: metric_calls.py; experiment calls: experiments.py).

    Give it a `ClientSettings` (what the CLI builds once per command), or a key and any of the
    settings' fields by name (`base_url=`, `page_size=`, `timeout=`, `request_timeout=`,
    `command_timeout=`, `attempts=`, `backoff=`, `max_backoff=`). `deadline` is the command's deadline
    when the caller keeps one (apply extends it); without it, `command_timeout` sets one, and without
    that there is none. Pass `transport` (an httpx transport) for tests.

    Example:

        with StatsigClient(key, base_url="http://127.0.0.1:8080/console/v1") as client:
            sources = client.list_sources()
    """

    def __init__(
        self,
        api_key: str | ClientSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        deadline: Deadline | None = None,
        throttle: Throttle | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        **changes: Any,
    ) -> None:
        given = api_key if isinstance(api_key, ClientSettings) else ClientSettings(api_key)
        settings = checked_settings(dataclasses.replace(given, **changes))
        self.page_size = settings.page_size
        backend = DeadlineBackend()
        self._http = http_client(settings, backend, transport)
        if deadline is None:
            deadline = Deadline(settings.command_timeout or math.inf, clock)
        throttle = throttle if throttle is not None else Throttle()
        self._transport = Transport(settings, self._http, backend, deadline, throttle, sleep, clock)
        SECRETS.add(settings.api_key)  # masked in log records while the client is open

    @property
    def settings(self) -> ClientSettings:
        return self._transport.settings

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
        if not self._http.is_closed:
            SECRETS.discard(self.settings.api_key)
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


def _source_path(name: str) -> str:
    return f"{SOURCE_PATH}/{quote(name, safe='')}"


__all__ = ["DEFAULT_API_URL", "check_api_key", "check_api_url", "checked_settings"]


def checked_settings(settings: ClientSettings) -> ClientSettings:
    """The settings with the URL in its normal form; anything unusable is an input error naming it (and
    never the key)."""
    key = check_api_key(settings.api_key)
    try:
        base_url = check_api_url(settings.base_url)
    except InputError as error:
        raise InputError(Redactor(key).text(str(error))) from None
    if settings.page_size < 1 or settings.attempts < 1:
        raise InputError("The page size and the number of attempts must be at least 1.")
    timeouts = (settings.timeout, settings.request_timeout, settings.command_timeout)
    if not all(timeout > 0 for timeout in timeouts if timeout is not None):
        raise InputError("Timeouts must be positive numbers of seconds.")
    return dataclasses.replace(settings, base_url=base_url)


def check_api_key(key: str) -> str:
    """The key as it will be sent: present, printable ASCII, no whitespace (never echoed)."""
    if not key:
        raise InputError("No Statsig Console API key: set STATSIG_CONSOLE_API_KEY or pass --api-key.")
    if not all("!" <= char <= "~" for char in key):
        raise InputError(
            "The Statsig Console API key contains whitespace, a line break or a character outside "
            "printable ASCII: check STATSIG_CONSOLE_API_KEY (or --api-key) for a stray newline or space."
        )
    return key


def check_api_url(url: str) -> str:
    """An http(s) URL with a host, without its trailing slash; anything else is an input error."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port that is not a number
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as error:
        message = f"The Statsig API URL {url!r} is not a valid URL ({error}): check --api-url."
        raise InputError(message) from None
    if parts.scheme not in ("http", "https") or not host:
        raise InputError(
            f"The Statsig API URL {url!r} must be an http:// or https:// URL with a host, such as "
            f"{DEFAULT_API_URL}: check --api-url (or STATSIG_API_URL)."
        )
    return url.rstrip("/")
