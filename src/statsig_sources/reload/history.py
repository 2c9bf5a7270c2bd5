"""Whether Statsig already loaded an experiment's results after the dbt run: reload's idempotence.

Statsig's `pulse_load_history` records (PulseLoadHistoryDto) carry no metric ids, so this is an
approximation, documented in docs/reload.md: a load of the experiment created after the run finished
(its run results' `generated_at`) that did not end in failure, cancellation or timeout counts as
done, whatever metrics it loaded; a load still running counts too. `createdTime` is read as
milliseconds since the epoch, as Statsig's other times are (a value too small for that is read as
seconds). A `createdTime` that is no time at all (negative, or past what a date holds) makes the
history unreadable: whether a load came after the run cannot be told then.

A load whose answer was lost is found by what the history shows that it did not show before sending.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

NOT_DONE = frozenset({"failure", "cancelled", "timeout"})  # finishedState of a load that did not load
SECONDS_BEFORE = 1e11  # below this, a time is in seconds (1e11 ms is early 1973)
# What names one load in the history; `finishedState` and `finishedTime` change as it runs.
IDENTITY = ("createdTime", "creatorName", "reloadType", "startDs", "endDs")


def created_at(load: Mapping[str, Any]) -> datetime | None:
    """When the load was created, or None when its `createdTime` is no time."""
    value = load.get("createdTime")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        if not math.isfinite(value) or value < 0:
            return None
        return datetime.fromtimestamp(value if value < SECONDS_BEFORE else value / 1000, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def unreadable(loads: Sequence[Mapping[str, Any]]) -> str:
    """`load 2's createdTime is 1e+20, not a time (milliseconds since the epoch)`, or ""."""
    for number, load in enumerate(loads, start=1):
        if created_at(load) is None:
            value = load.get("createdTime")
            return f"load {number}'s createdTime is {value!r}, not a time (milliseconds since the epoch)"
    return ""


def load_since(loads: Iterable[Mapping[str, Any]], finished: datetime) -> Mapping[str, Any] | None:
    """The newest load created at or after `finished` that did not fail, if any."""
    found = [
        (when, load)
        for load in loads
        if (when := created_at(load)) is not None
        and when >= finished
        and load.get("finishedState") not in NOT_DONE
    ]
    return max(found, key=lambda pair: pair[0], default=(None, None))[1]


def new_loads(
    now: Iterable[Mapping[str, Any]], before: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The loads `now` lists that `before` did not: those recorded since `before` was read."""
    seen = {_identity(load) for load in before}
    return [load for load in now if _identity(load) not in seen]


def _identity(load: Mapping[str, Any]) -> str:
    return repr(tuple(load.get(key) for key in IDENTITY))


def describe(load: Mapping[str, Any]) -> str:
    """`a metric load created 2026-05-20 10:03:00 UTC (success)`, or `(still running)`."""
    kind = load.get("reloadType") or "result"
    state = load.get("finishedState") or "still running"
    when = created_at(load)
    created = (
        when.strftime("%Y-%m-%d %H:%M:%S UTC") if when is not None else f"at {load.get('createdTime')!r}"
    )
    return f"a {kind} load created {created} ({state})"
