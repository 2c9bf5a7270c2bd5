"""What the stand-in's endpoints and seeding may use of the stand-in: its state and its settings.

The endpoints (sources.py, metrics.py, experiments.py, pulse.py) and seed.py are written against this
description, not against `FakeStatsig` (server.py), which satisfies it: the server knows its endpoints,
and the endpoints do not know the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from statsig_sources.standin.state import Fault, PulseState, State


class StandIn(Protocol):
    lock: Any  # a re-entrant lock: the handler serves each connection from its own thread
    state: State
    pulse: PulseState
    strict: bool  # refuse fields Statsig's documents do not list
    known_tags: set[str] | None  # None: every tag exists
    default_page_size: int

    def persist(self) -> None: ...

    def stored_source(self, source: dict[str, Any], seeding: bool = False) -> dict[str, Any]: ...

    def now_ms(self) -> int: ...

    def inject(self, *faults: Fault) -> None: ...

    def seed_sources(self, sources: Iterable[dict[str, Any]]) -> None: ...

    def seed_metrics(self, metrics: Iterable[dict[str, Any]], *, strict: bool = False) -> None: ...

    def seed_experiments(self, experiments: Iterable[dict[str, Any]]) -> None: ...
