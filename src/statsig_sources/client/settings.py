"""How the client talks to Statsig: the defaults, and one frozen value holding every setting.

Import-light on purpose (nothing but the standard library): the CLI's options read the defaults for
`--help`, and build a `ClientSettings` once per command, without importing httpx or msgspec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_API_URL = "https://statsigapi.net/console/v1"
DEFAULT_PAGE_SIZE = 100  # items per page when listing
DEFAULT_READ_TIMEOUT = 10.0  # seconds per read, as the Terraform provider uses
DEFAULT_REQUEST_TIMEOUT = 60.0  # one request: every attempt and every wait between attempts
DEFAULT_COMMAND_TIMEOUT = 600.0  # a command's reads; apply and reload add what their writes need
DEFAULT_ATTEMPTS = 5  # tries of one request
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubled for each one after it
DEFAULT_MAX_BACKOFF = 30.0  # the longest wait between two attempts (Retry-After aside)


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
