"""One request to Statsig's Console API: attempts, retries, deadlines, and what an answer means.

429 / 5xx / dropped connections / per-read timeouts are retried with exponential backoff that honours
`Retry-After`; mutations are paced by a client-side `Throttle`. Every request has a deadline covering
all its attempts and the waits between them, and the command has one too (`deadlines.py`): a wait
that would pass either is not started. A redirect is not followed. Every message built from an
answer, and every decoded answer, is redacted (`redaction.py`), so the key never leaves this module
except in the request header.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from statsig_sources.deadlines import COMMAND_SETTING, MAX_RETRY_AFTER, REQUEST_SETTING, Deadline, seconds
from statsig_sources.errors import InputError, RemoteError
from statsig_sources.redaction import Redactor
from statsig_sources.statsig_http import MAX_BODY_BYTES, Answer, Overdue, TooLarge, exchange
from statsig_sources.throttle import Throttle

API_VERSION = "20240601"
MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

logger = logging.getLogger("statsig_sources.statsig_api")


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


@dataclass(frozen=True)
class Policy:
    """How long and how often to try: per read, per request, attempts and backoff."""

    timeout: float
    request_timeout: float
    attempts: int
    backoff: float
    max_backoff: float


class Transport:
    """Sends one request at a time to `base_url` with the key, within the policy and the deadline."""

    def __init__(
        self,
        key: str,
        base_url: str,
        http: httpx.Client,
        policy: Policy,
        deadline: Deadline,
        throttle: Throttle,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key = key
        self.redactor = Redactor(key)
        self.base_url = base_url
        self._http = http
        self.policy = policy
        self.deadline = deadline
        self.throttle = throttle
        self._sleep = sleep
        self._clock = clock

    def redact(self, text: str) -> str:
        return self.redactor.text(text)

    def request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None
    ) -> dict[str, Any]:
        """The answer's JSON object; a refusal, a deadline or exhausted retries raise a RemoteError."""
        target = f"{method} {path}" + (f"?{urlencode(params)}" if params else "")
        content = _encode(target, body)
        budget = _Budget(self._clock)
        stopped_by: list[str] = []  # why a wait was not started, when a deadline stopped the retries

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.policy.attempts:
                return True
            reason = self._wait_passes_deadline(state.upcoming_sleep, budget)
            if reason:
                stopped_by.append(reason)
            return bool(reason)

        retrying = Retrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(method, path, target, params, content, budget)
        except _Transient as exc:
            tried = int(retrying.statistics.get("attempt_number", 1))
            waited = float(retrying.statistics.get("idle_for", 0.0))
            text = f"Statsig kept failing: {target} gave {exc.description} after {tried} attempt(s)"
            text += f" and {seconds(waited)} of waiting in all"
            text += f"; {stopped_by[0]}" if stopped_by else ""
            raise RemoteError(self.redact(text + ". Safe to rerun.")) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_passes_deadline(self, wait: float, budget: _Budget) -> str:
        request_left = self.policy.request_timeout - budget.spent()
        # A wait that leaves no time for the attempt after it is not started.
        if wait >= self.deadline.remaining() and self.deadline.remaining() < request_left:
            which = f"the command's deadline of {seconds(self.deadline.seconds)} ({COMMAND_SETTING})"
        elif wait >= request_left:
            which = f"the request deadline of {seconds(self.policy.request_timeout)} ({REQUEST_SETTING})"
        else:
            return ""
        return f"waiting {seconds(wait)} more would pass {which}"

    def _attempt(
        self,
        method: str,
        path: str,
        target: str,
        params: Mapping[str, str] | None,
        content: bytes | None,
        budget: _Budget,
    ) -> dict[str, Any]:
        headers = {"STATSIG-API-KEY": self._key, "STATSIG-API-VERSION": API_VERSION}
        if content is not None:
            headers["Content-Type"] = "application/json"
        with self._slot(method, target, budget):
            limit = self._time_left(target, budget)
            read_timeout = min(self.policy.timeout, limit)
            request = self._http.build_request(
                method,
                self.base_url + path,
                params=params,
                content=content,
                headers=headers,
                timeout=read_timeout,
            )
            started = self._clock()
            try:
                answer = exchange(self._http, request, limit)
            except Overdue:
                raise RemoteError(self._overdue(target, self._clock() - started)) from None
            except TooLarge:
                size = f"{MAX_BODY_BYTES // 2**20} MiB"
                raise RemoteError(f"Statsig's answer to {target} passed {size}; stopped reading.") from None
            except httpx.TimeoutException:
                raise _Transient(f"no answer within {seconds(read_timeout)}") from None
            except httpx.TransportError as exc:
                raise _Transient(f"a connection failure ({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                what = type(exc).__name__
                raise RemoteError(f"Statsig's answer to {target} could not be read ({what}).") from None
        return self._answer(target, answer)

    @contextmanager
    def _slot(self, method: str, target: str, budget: _Budget) -> Iterator[None]:
        """The throttle's slot for a mutation; its wait counts against the command, not the request."""
        if method not in MUTATIONS:
            yield
            return
        wait = self.throttle.delay()
        if wait > self.deadline.remaining():
            raise RemoteError(
                f"Stopped before {target}: Statsig's rate limits need a wait of {seconds(wait)}, past the "
                f"command's deadline of {seconds(self.deadline.seconds)} ({COMMAND_SETTING}). Safe to rerun."
            )
        started = self._clock()
        with self.throttle.slot():
            budget.exclude(self._clock() - started)
            yield

    def _time_left(self, target: str, budget: _Budget) -> float:
        """Seconds this attempt may take; none left is a remote error naming the deadline."""
        command_left = self.deadline.remaining()
        if command_left <= 0:
            raise RemoteError(
                f"Stopped before {target}: the command's deadline of {seconds(self.deadline.seconds)} "
                f"has passed ({COMMAND_SETTING}). Safe to rerun."
            )
        request_left = self.policy.request_timeout - budget.spent()
        if request_left <= 0:
            raise RemoteError(
                f"Statsig did not answer {target} within the request deadline of "
                f"{seconds(self.policy.request_timeout)} ({REQUEST_SETTING}). Safe to rerun."
            )
        return min(command_left, request_left)

    def _overdue(self, target: str, took: float) -> str:
        if self.deadline.remaining() <= 0:
            which = f"the command's deadline of {seconds(self.deadline.seconds)} ({COMMAND_SETTING})"
        else:
            which = f"the request deadline of {seconds(self.policy.request_timeout)} ({REQUEST_SETTING})"
        return (
            f"Statsig did not finish answering {target}: stopped after {seconds(took)}, at {which}. "
            "Safe to rerun."
        )

    def _answer(self, target: str, answer: Answer) -> dict[str, Any]:
        status = answer.status
        if status == 429 or status >= 500:
            raise _Transient(f"HTTP {status}", parse_retry_after(answer.headers.get("Retry-After")))
        if 300 <= status < 400:
            location = answer.headers.get("Location")
            to = f" to {location}" if location else ""
            raise RemoteError(
                self.redact(
                    f"Statsig answered {target} with a redirect (HTTP {status}{to}), which is not followed: "
                    "check --api-url (or STATSIG_API_URL)."
                )
            )
        if status >= 400:
            raise self._refusal(target, answer)
        if status < 200:
            raise RemoteError(f"Statsig answered {target} with HTTP {status}, which is not an answer.")
        return self._json(target, answer)

    def _refusal(self, target: str, answer: Answer) -> RemoteError:
        body = self._json(target, answer, strict=False)
        message = self.redact(str(body.get("message") or answer.reason))
        errors = body.get("errors")
        details = tuple(
            self.redact(f"{item.get('property', '?')}: {item.get('errorMessage', '')}")
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

    def _json(self, target: str, answer: Answer, strict: bool = True) -> dict[str, Any]:
        """The answer's JSON object, redacted; a non-object is a remote error (or `{}` if not strict)."""
        try:
            text = answer.content.decode("utf-8")
            body = json.loads(text)
        except (ValueError, RecursionError):
            body, text = None, ""
        if isinstance(body, dict):
            # Redact only when the key (or a JSON escape that could spell it) is in the raw text.
            if "\\u" in text or self.redactor.contains(text):
                redacted: dict[str, Any] = self.redactor.data(body)
                return redacted
            return body
        if strict:
            raise RemoteError(f"Statsig answered {target} with something other than a JSON object.")
        return {}

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, max(self.policy.max_backoff, MAX_RETRY_AFTER))
        return float(min(self.policy.max_backoff, self.policy.backoff * 2 ** (state.attempt_number - 1)))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning("Statsig: %s; retrying in %.2f s", self.redact(str(exc)), wait)


def _encode(target: str, body: Any) -> bytes | None:
    """The JSON body as bytes before anything is sent: text that cannot be encoded never leaves."""
    if body is None:
        return None
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError) as error:
        raise InputError(f"Cannot send {target}: its body cannot be encoded as JSON ({error}).") from None


class _Budget:
    """Time one request has spent: its attempts and the waits between them, not the throttle's."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._started = clock()
        self._excluded = 0.0

    def exclude(self, elapsed: float) -> None:
        self._excluded += elapsed

    def spent(self) -> float:
        return self._clock() - self._started - self._excluded
