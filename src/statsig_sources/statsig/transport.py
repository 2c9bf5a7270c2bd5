"""One request to Statsig's Console API: attempts, retries and deadlines.

429 / 5xx / dropped connections / per-read timeouts are retried with exponential backoff that honours
`Retry-After`; mutations are paced by a client-side `Throttle`. A write that is not safe to repeat
passes `recheck`: after an attempt that may have reached Statsig (its answer lost, or a 5xx), it is
not sent again before `recheck` has read whether it took effect. Every request has a deadline covering
all its attempts and the waits between them, and the command has one too (`deadlines.py`): a wait
that would pass either is not started. What an answer means is `answers.py`'s job; every
message and every decoded answer is redacted (`support/redaction.py`), so the key never leaves the client
except in the request header its httpx client sends (network.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from statsig_sources.statsig.answers import (
    MAX_BODY_BYTES,
    TooLarge,
    Transient,
    encode_body,
    exchange,
    read_answer,
)
from statsig_sources.statsig.deadlines import (
    COMMAND_SETTING,
    MAX_RETRY_AFTER,
    REQUEST_SETTING,
    Deadline,
    seconds,
)
from statsig_sources.statsig.network import DeadlineBackend, Overdue
from statsig_sources.statsig.rechecks import AnswerOverdue, Recheck, Unsure
from statsig_sources.statsig.settings import ClientSettings
from statsig_sources.statsig.throttle import Throttle
from statsig_sources.support.errors import RemoteError
from statsig_sources.support.redaction import Redactor

Params = Mapping[str, str | Sequence[str]]
MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Failures before a request left: it cannot have reached Statsig.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

logger = logging.getLogger("statsig_sources.statsig.api")


class Transport:
    """Sends one request at a time through the client's configured httpx client, within the settings'
    attempts and timeouts and the command's deadline."""

    def __init__(
        self,
        settings: ClientSettings,
        http: httpx.Client,
        backend: DeadlineBackend,
        deadline: Deadline,
        throttle: Throttle,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.redactor = Redactor(settings.api_key)
        self._http = http
        self._backend = backend
        self.deadline = deadline
        self.throttle = throttle
        self._sleep = sleep
        self._clock = clock

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def redact(self, text: str) -> str:
        return self.redactor.text(text)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        recheck: Recheck | None = None,
    ) -> dict[str, Any]:
        """The answer's JSON object; a refusal, a deadline or exhausted retries raise a RemoteError.

        A parameter given a sequence is repeated (`metricIDs=a&metricIDs=b`), as OpenAPI sends arrays.
        With `recheck`, an attempt that may have reached Statsig is never repeated before `recheck`
        says it did not take effect; when it did, what `recheck` answers is the answer."""
        target = f"{method} {path}" + (f"?{urlencode(params, doseq=True)}" if params else "")
        content = encode_body(target, body)
        budget = _Budget(self._clock)
        unsure = Unsure(target, recheck)
        stopped_by: list[str] = []  # why a wait was not started, when a deadline stopped the retries
        retrying = self._retrying(budget, stopped_by)
        try:
            for attempt in retrying:
                with attempt:
                    settled = unsure.settled()
                    if settled is not None:
                        return settled
                    return unsure.watch(lambda: self._attempt(method, path, target, params, content, budget))
        except (Transient, AnswerOverdue) as exc:
            settled = unsure.settled()
            if settled is not None:
                return settled
            if isinstance(exc, AnswerOverdue):
                raise
            raise RemoteError(self._kept_failing(target, exc, retrying.statistics, stopped_by)) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _retrying(self, budget: _Budget, stopped_by: list[str]) -> Retrying:
        """Transient failures retried up to the attempts allowed, never into a wait that would pass a
        deadline (its reason recorded in `stopped_by`)."""

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.settings.attempts:
                return True
            reason = self._wait_passes_deadline(state.upcoming_sleep, budget)
            if reason:
                stopped_by.append(reason)
            return bool(reason)

        return Retrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(Transient),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )

    def _kept_failing(
        self, target: str, failure: Transient, statistics: Mapping[str, Any], stopped_by: list[str]
    ) -> str:
        tried = int(statistics.get("attempt_number", 1))
        waited = float(statistics.get("idle_for", 0.0))
        text = f"Statsig kept failing: {target} gave {failure.description} after {tried} attempt(s)"
        text += f" and {seconds(waited)} of waiting in all"
        text += f"; {stopped_by[0]}" if stopped_by else ""
        return self.redact(text + ". Safe to rerun.")

    def _wait_passes_deadline(self, wait: float, budget: _Budget) -> str:
        request_left = self.settings.request_timeout - budget.spent()
        # A wait that leaves no time for the attempt after it is not started.
        if wait >= self.deadline.remaining() and self.deadline.remaining() < request_left:
            which = f"the command's deadline of {seconds(self.deadline.seconds)} ({COMMAND_SETTING})"
        elif wait >= request_left:
            which = f"the request deadline of {seconds(self.settings.request_timeout)} ({REQUEST_SETTING})"
        else:
            return ""
        return f"waiting {seconds(wait)} more would pass {which}"

    def _attempt(
        self,
        method: str,
        path: str,
        target: str,
        params: Params | None,
        content: bytes | None,
        budget: _Budget,
    ) -> dict[str, Any]:
        headers = None if content is None else {"Content-Type": "application/json"}
        with self._slot(method, target, budget):
            limit = self._time_left(target, budget)
            request = self._http.build_request(method, path, params=params, content=content, headers=headers)
            started = self._clock()
            try:
                with self._backend.within(limit):
                    answer = exchange(self._http, request)
            except Overdue:
                raise AnswerOverdue(self._overdue(target, self._clock() - started)) from None
            except TooLarge:
                size = f"{MAX_BODY_BYTES // 2**20} MiB"
                raise RemoteError(f"Statsig's answer to {target} passed {size}; stopped reading.") from None
            except httpx.TimeoutException as exc:
                reached = not isinstance(exc, NOT_SENT)
                raise Transient(
                    f"no answer within {seconds(self.settings.timeout)}", reached=reached
                ) from None
            except httpx.TransportError as exc:
                what = f"a connection failure ({type(exc).__name__})"
                raise Transient(what, reached=not isinstance(exc, NOT_SENT)) from None
            except httpx.HTTPError as exc:
                what = type(exc).__name__
                raise RemoteError(f"Statsig's answer to {target} could not be read ({what}).") from None
        return read_answer(target, answer, self.redactor)

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
        request_left = self.settings.request_timeout - budget.spent()
        if request_left <= 0:
            raise RemoteError(
                f"Statsig did not answer {target} within the request deadline of "
                f"{seconds(self.settings.request_timeout)} ({REQUEST_SETTING}). Safe to rerun."
            )
        return min(command_left, request_left)

    def _overdue(self, target: str, took: float) -> str:
        if self.deadline.remaining() <= 0:
            which = f"the command's deadline of {seconds(self.deadline.seconds)} ({COMMAND_SETTING})"
        else:
            which = f"the request deadline of {seconds(self.settings.request_timeout)} ({REQUEST_SETTING})"
        return (
            f"Statsig did not finish answering {target}: stopped after {seconds(took)}, at {which}. "
            "Safe to rerun."
        )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return min(exc.retry_after, max(self.settings.max_backoff, MAX_RETRY_AFTER))
        return float(min(self.settings.max_backoff, self.settings.backoff * 2 ** (state.attempt_number - 1)))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning("Statsig: %s; retrying in %.2f s", self.redact(str(exc)), wait)


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
