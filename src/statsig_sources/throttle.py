"""A client-side throttle for Statsig's mutation rate limits: sliding windows, no bursts past them.

Statsig documents about 100 mutations per 10 s and 900 per 15 min per project. The throttle keeps the
send time of every recent mutation and, before the next one, waits exactly until every window has room.
Each window is widened by a small fraction (`margin`) so that the server, which sees requests a little
later and with some jitter, never counts one more than its limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RateWindow:
    """At most `limit` mutations in any `seconds`-long sliding window."""

    limit: int
    seconds: float


# STATSIG_API.md: "about 100 per 10 s and 900 per 15 min per project" (spec text).
STATSIG_MUTATION_LIMITS: tuple[RateWindow, ...] = (RateWindow(100, 10.0), RateWindow(900, 900.0))


class Throttle:
    """Blocks in `acquire()` until one more mutation fits in every window. Thread-safe."""

    def __init__(
        self,
        windows: Sequence[RateWindow] = STATSIG_MUTATION_LIMITS,
        *,
        margin: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        for window in windows:
            if window.limit < 1 or window.seconds <= 0:
                raise ValueError(f"a rate window needs a positive limit and length, not {window}")
        self._windows = tuple(windows)
        self._spans = tuple(w.seconds * (1.0 + margin) for w in self._windows)
        self._sent: tuple[deque[float], ...] = tuple(deque() for _ in self._windows)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    @property
    def windows(self) -> tuple[RateWindow, ...]:
        return self._windows

    def delay(self) -> float:
        """Seconds to wait before the next mutation may be sent (0 when it may go now)."""
        now = self._clock()
        wait = 0.0
        for window, span, sent in zip(self._windows, self._spans, self._sent, strict=True):
            while sent and sent[0] <= now - span:
                sent.popleft()
            if len(sent) >= window.limit:
                wait = max(wait, sent[len(sent) - window.limit] + span - now)
        return wait

    def acquire(self) -> None:
        """Wait until every window has room, then count one mutation as sent now."""
        with self._lock:
            while (wait := self.delay()) > 0:
                self._sleep(wait)
            now = self._clock()
            for sent in self._sent:
                sent.append(now)
