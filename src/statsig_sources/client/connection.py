"""Where and how the client connects: the Console API's URL and the key, checked before any request."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from statsig_sources.core.errors import InputError

DEFAULT_API_URL = "https://statsigapi.net/console/v1"


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
