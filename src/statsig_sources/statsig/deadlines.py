"""Time bounds for talking to Statsig: one per request, one per command.

httpx's timeouts bound each read, not a whole answer: a server that sends one byte every few seconds
would keep a request open forever. So every request has an overall deadline (all its attempts and the
waits between them; each socket read waits no longer than what is left of it: network.py), and every
command has one too. `apply` extends its command deadline by the time
Statsig's rate limits need for the writes it plans (`Throttle.floor`), plus a margin.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from statsig_sources.statsig.defaults import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
)
from statsig_sources.support.errors import InputError

__all__ = [  # the defaults are defined in settings.py; these names stay importable from here
    "COMMAND_SETTING",
    "DEFAULT_COMMAND_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_REQUEST_TIMEOUT",
    "MAX_RETRY_AFTER",
    "REQUEST_SETTING",
    "WRITE_MARGIN",
    "Deadline",
    "allow_writes",
    "seconds",
]

WRITE_MARGIN = 0.1  # apply's deadline: the throttle's floor for its writes, plus 10 %
MAX_RETRY_AFTER = 120.0  # a single Retry-After is never honoured beyond this

REQUEST_SETTING = "--request-timeout or STATSIG_REQUEST_TIMEOUT"
COMMAND_SETTING = "--command-timeout or STATSIG_COMMAND_TIMEOUT"


class Deadline:
    """A point in time on a monotonic clock, `seconds` after it was started (or last extended)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not seconds > 0:
            raise ValueError(f"a deadline needs a positive number of seconds, not {seconds!r}")
        self._clock = clock
        self._start = clock()
        self._end = self._start + seconds

    @property
    def seconds(self) -> float:
        """How long the deadline allows in all, from its start."""
        return self._end - self._start

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())

    def extend(self, seconds: float) -> None:
        """Allow `seconds` more than is left now (used by apply once it knows its writes)."""
        self._end = max(self._end, self._clock() + seconds)


def seconds(value: float) -> str:
    """A duration as messages show it: `0.25 s`, `12 s`, `1,000 s`."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") + " s"


def allow_writes(deadline: Deadline, floor: float, derived: bool, command: str = "apply") -> None:
    """Give a writing command's deadline (`apply`, `reload`) the time its writes need at Statsig's rate
    limits.

    `floor` is the least time the writes take under the throttle (`Throttle.floor`). A derived
    deadline grows by the floor plus `WRITE_MARGIN`, on top of `DEFAULT_COMMAND_TIMEOUT` for the
    reads; an explicit one that cannot hold them is refused before the first write.
    """
    need = floor * (1 + WRITE_MARGIN)
    if derived:
        deadline.extend(DEFAULT_COMMAND_TIMEOUT + need)
    elif need > deadline.remaining():
        raise InputError(
            f"The writes {command} plans need at least {seconds(floor)} at Statsig's rate limits (plus "
            f"{WRITE_MARGIN:.0%}), but the command's deadline of {seconds(deadline.seconds)} leaves "
            f"{seconds(deadline.remaining())}: raise {COMMAND_SETTING}, or unset it to let {command} derive "
            "it. Nothing was written."
        )
