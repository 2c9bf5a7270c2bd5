"""The client's settings, checked before any request: the Console API's URL, the key, the numbers."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

import httpx

from statsig_sources.statsig.settings import DEFAULT_API_URL, ClientSettings
from statsig_sources.support.errors import InputError
from statsig_sources.support.redaction import Redactor

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
