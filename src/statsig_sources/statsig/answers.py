"""One HTTP exchange with Statsig, and what its answer means: JSON data, a refusal, a transient failure
or a redirect.

The body is read in chunks up to a size bound; its time is bounded by the sockets themselves (every
wait ends at the request's deadline: network.py). Everything decoded from an answer, and every message
built from one, passes through the redactor.
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

from statsig_sources.support.errors import InputError, RemoteError
from statsig_sources.support.redaction import Redactor


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


class MalformedAnswer(RemoteError):
    """An answer that is not what Statsig's API documents: not JSON, a number JSON does not allow, or
    a value of the wrong shape."""


class Transient(Exception):
    """A failure worth retrying; `retry_after` is the server's hint in seconds, if it gave one.

    `reached`: the request may have reached Statsig and taken effect (its answer was lost or was a
    5xx). False only when it cannot have: it was throttled (429) or never connected."""

    def __init__(self, description: str, retry_after: float | None = None, *, reached: bool = True) -> None:
        super().__init__(description)
        self.description = description
        self.retry_after = retry_after
        self.reached = reached


def read_answer(target: str, answer: Answer, redactor: Redactor) -> dict[str, Any]:
    """The answer's JSON object, or the exception its status means (`Transient` when worth retrying)."""
    status = answer.status
    if status == 429 or status >= 500:
        wait = parse_retry_after(answer.headers.get("Retry-After"))
        raise Transient(f"HTTP {status}", wait, reached=status != 429)
    if 300 <= status < 400:
        location = answer.headers.get("Location")
        to = f" to {location}" if location else ""
        raise RemoteError(
            redactor.text(
                f"Statsig answered {target} with a redirect (HTTP {status}{to}), which is not followed: "
                "check --api-url (or STATSIG_API_URL)."
            )
        )
    if status >= 400:
        raise _refusal(target, answer, redactor)
    if status < 200:
        raise RemoteError(f"Statsig answered {target} with HTTP {status}, which is not an answer.")
    return _json(target, answer, redactor)


def _refusal(target: str, answer: Answer, redactor: Redactor) -> RemoteError:
    body = _json(target, answer, redactor, strict=False)
    message = redactor.text(str(body.get("message") or answer.reason))
    errors = body.get("errors")
    details = tuple(
        redactor.text(f"{item.get('property', '?')}: {item.get('errorMessage', '')}")
        for item in (errors if isinstance(errors, list) else ())
        if isinstance(item, dict)
    )
    status = answer.status
    if status in (401, 403):
        return AuthError(
            f"Statsig refused the API key (HTTP {status}): {message} "
            "Use an active Console API key (it starts with `console-`)."
        )
    text = f"Statsig refused {target} (HTTP {status}): {message}"
    if details:
        text += "\n" + "\n".join(f"  - {line}" for line in details)
    if status in (400, 409) and "already exist" in message.lower():
        return AlreadyExistsError(text, status, details)
    return ApiError(text, status, details)


def _json(target: str, answer: Answer, redactor: Redactor, strict: bool = True) -> dict[str, Any]:
    """The answer's JSON object, redacted; a non-object is a malformed answer (or `{}` if not strict).

    JSON has no NaN or Infinity, and Statsig's numbers are doubles: `NaN`, `Infinity` or a number past
    a double's range is no answer either, so no such value reaches a plan, a report or a load history."""
    why = "something other than a JSON object"
    try:
        text = answer.content.decode("utf-8")
        body = json.loads(text, parse_constant=_not_a_number, parse_float=_double, parse_int=_integer)
    except _NotJsonNumber as error:
        body, text, why = None, "", f"a number JSON does not allow ({error})"
    except (ValueError, RecursionError):
        body, text = None, ""
    if isinstance(body, dict):
        # Walk the data only when the key (or a JSON escape that could spell it) is in the raw text.
        if "\\u" in text or redactor.contains(text):
            redacted: dict[str, Any] = redactor.data(body)
            return redacted
        return body
    if strict:
        raise MalformedAnswer(f"Statsig answered {target} with {why}.")
    return {}


class _NotJsonNumber(Exception):
    """NaN, Infinity, or a number no double holds."""


def _not_a_number(constant: str) -> float:
    raise _NotJsonNumber(constant)


def _double(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotJsonNumber(text if len(text) <= 24 else text[:21] + "...")
    return value


def _integer(text: str) -> int:
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise _NotJsonNumber(f"an integer of {len(text.lstrip('-'))} digits") from None
    return value


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
