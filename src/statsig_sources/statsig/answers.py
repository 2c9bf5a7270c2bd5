"""What one answer from Statsig means: JSON data, a refusal, a transient failure or a redirect.

Everything decoded from an answer, and every message built from one, passes through the redactor.
"""

from __future__ import annotations

import json
import math
from typing import Any

from statsig_sources.statsig.http import Answer, parse_retry_after
from statsig_sources.support.errors import RemoteError
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
