"""One HTTP exchange with Statsig, bounded in size; its body and headers.

The body is read in chunks up to a size bound. Its time is bounded by the sockets themselves: every
wait ends at the request's deadline (network.py).
"""

from __future__ import annotations

import email.utils
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from statsig_sources.support.errors import InputError

MAX_BODY_BYTES = 64 * 1024 * 1024  # far above any page Statsig sends (a page of 100 metrics: ~200 kB)


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: httpx.Headers
    content: bytes


class TooLarge(Exception):
    """The answer's body passed `MAX_BODY_BYTES`."""


def exchange(http: httpx.Client, request: httpx.Request) -> Answer:
    """Send `request` and read its whole answer, up to `MAX_BODY_BYTES`.

    The caller bounds the time (network.py's `DeadlineBackend.within`); httpx's own exceptions
    (timeouts per read, connection failures) and `Overdue` are raised as they are."""
    response = http.send(request, stream=True)
    try:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise TooLarge()
            chunks.append(chunk)
        return Answer(response.status_code, response.reason_phrase, response.headers, b"".join(chunks))
    finally:
        response.close()


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """`Retry-After` as seconds: a number of seconds (fractions allowed) or an HTTP date."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, number) if math.isfinite(number) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now() if now else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def encode_body(target: str, body: Any) -> bytes | None:
    """The JSON body as bytes before anything is sent: text that cannot be encoded never leaves."""
    if body is None:
        return None
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError) as error:
        raise InputError(f"Cannot send {target}: its body cannot be encoded as JSON ({error}).") from None
