"""A client-side throttle for Statsig's mutation rate limits: sliding windows, no bursts past them.

Statsig documents about 100 mutations per 10 s and 900 per 15 min per project. The throttle keeps the
time of every recent mutation and, before the next one, waits exactly until every window has room.
Each window is widened by a small fraction (`margin`) for clock-rate differences.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RateWindow:
    """At most `limit` mutations in any `seconds`-long sliding window."""

    limit: int
    seconds: float


# Statsig's OpenAPI document: "about 100 per 10 s and 900 per 15 min per project".
STATSIG_MUTATION_LIMITS: tuple[RateWindow, ...] = (RateWindow(100, 10.0), RateWindow(900, 900.0))


class Throttle:
    """Blocks in `slot()` until one more mutation fits in every window. Thread-safe.

    A mutation counts from the moment it is sent until its answer arrives: when the request
    completes, its time is moved forward to the completion. Statsig counts it somewhere in between,
    so a window measured from completions is never shorter than the one the server measures, whatever
    the network's jitter. (Requests still in flight count from their send time.)
    """

    def __init__(
        self,
        windows: Sequence[RateWindow] = STATSIG_MUTATION_LIMITS,
        *,
        margin: float = 0.01,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        for window in windows:
            if window.limit < 1 or window.seconds <= 0:
                raise ValueError(f"a rate window needs a positive limit and length, not {window}")
        self._windows = tuple(windows)
        self._spans = tuple(w.seconds * (1.0 + margin) for w in self._windows)
        self._longest = max(self._spans, default=0.0)
        self._sent: list[list[float]] = []  # one mutable [time] per mutation, in send order
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    @property
    def windows(self) -> tuple[RateWindow, ...]:
        return self._windows

    def floor(self, mutations: int) -> float:
        """The least time `mutations` writes take from an idle start: in every window, each `limit`
        writes after the first batch wait one window length (widened by the margin)."""
        if mutations < 1:
            return 0.0
        pairs = zip(self._windows, self._spans, strict=True)
        return max(((math.ceil(mutations / window.limit) - 1) * span for window, span in pairs), default=0.0)

    def delay(self) -> float:
        """Seconds to wait before the next mutation may be sent (0 when it may go now)."""
        now = self._clock()
        self._sent = [slot for slot in self._sent if slot[0] > now - self._longest]
        wait = 0.0
        for window, span in zip(self._windows, self._spans, strict=True):
            live = sorted(slot[0] for slot in self._sent if slot[0] > now - span)
            if len(live) >= window.limit:
                wait = max(wait, live[len(live) - window.limit] + span - now)
        return wait

    def acquire(self) -> list[float]:
        """Wait until every window has room, then count one mutation as sent now."""
        with self._lock:
            while (wait := self.delay()) > 0:
                self._sleep(wait)
            slot = [self._clock()]
            self._sent.append(slot)
            return slot

    def release(self, slot: list[float]) -> None:
        """The mutation's answer (or failure) arrived: count it from now."""
        with self._lock:
            slot[0] = max(slot[0], self._clock())

    @contextmanager
    def slot(self) -> Iterator[None]:
        held = self.acquire()
        try:
            yield
        finally:
            self.release(held)
