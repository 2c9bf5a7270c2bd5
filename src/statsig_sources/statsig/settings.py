"""How the client talks to Statsig: one frozen value holding every setting (defaults: defaults.py).

Import-light on purpose (the standard library alone): the CLI builds a `ClientSettings` once per
command without importing httpx or msgspec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from statsig_sources.statsig.defaults import (
    DEFAULT_API_URL,
    DEFAULT_ATTEMPTS,
    DEFAULT_BACKOFF,
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_MAX_BACKOFF,
    DEFAULT_PAGE_SIZE,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
)

__all__ = [
    "ClientSettings",
    "DEFAULT_API_URL",
    "DEFAULT_ATTEMPTS",
    "DEFAULT_BACKOFF",
    "DEFAULT_COMMAND_TIMEOUT",
    "DEFAULT_MAX_BACKOFF",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_REQUEST_TIMEOUT",
]


@dataclass(frozen=True)
class ClientSettings:
    """Where the Console API is, with which key, and how long and how often to try.

    `timeout` bounds each read, `request_timeout` one request (every attempt and every wait between
    attempts), `command_timeout` everything the client does (None: no bound for a library client; the
    CLI then uses `DEFAULT_COMMAND_TIMEOUT` and lets writing commands extend it). The key is never
    shown in a repr. `connection.checked_settings` checks the values before any request.
    """

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_API_URL
    page_size: int = DEFAULT_PAGE_SIZE
    timeout: float = DEFAULT_READ_TIMEOUT
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    command_timeout: float | None = None
    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF
    max_backoff: float = DEFAULT_MAX_BACKOFF
