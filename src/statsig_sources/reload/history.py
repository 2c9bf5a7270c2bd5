"""Whether Statsig already loaded an experiment's results after the dbt run: reload's idempotence.

Statsig's `pulse_load_history` records (PulseLoadHistoryDto) carry no metric ids, so this is an
approximation, documented in docs/reload.md: a load of the experiment created after the run finished
(its run results' `generated_at`) that did not end in failure, cancellation or timeout counts as
done, whatever metrics it loaded; a load still running counts too. `createdTime` is read as
milliseconds since the epoch, as Statsig's other times are (a value too small for that is read as
seconds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

NOT_DONE = frozenset({"failure", "cancelled", "timeout"})  # finishedState of a load that did not load
SECONDS_BEFORE = 1e11  # below this, a time is in seconds (1e11 ms is early 1973)


def created_at(load: Mapping[str, Any]) -> datetime:
    value = float(load["createdTime"])
    return datetime.fromtimestamp(value if value < SECONDS_BEFORE else value / 1000, timezone.utc)


def load_since(loads: Iterable[Mapping[str, Any]], finished: datetime) -> Mapping[str, Any] | None:
    """The newest load created at or after `finished` that did not fail, if any."""
    found = [
        load for load in loads if created_at(load) >= finished and load.get("finishedState") not in NOT_DONE
    ]
    return max(found, key=created_at, default=None)


def describe(load: Mapping[str, Any]) -> str:
    """`a metric load created 2026-05-20 10:03:00 UTC (success)`, or `(still running)`."""
    kind = load.get("reloadType") or "result"
    state = load.get("finishedState") or "still running"
    when = created_at(load).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"a {kind} load created {when} ({state})"
