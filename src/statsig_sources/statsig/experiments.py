"""Experiments and their result loads (Warehouse Native), as the client's `ExperimentsApi` part.

Per `console-api-experiments-pulse.openapi.json`: experiments are listed by status and paginated;
`load_pulse` is a mutation whose `refresh` and `metricIDs` are query parameters *and* fields of the
required JSON body (`EchidnaLoadPulseQueryDto`); `pulse_load_history` lists an experiment's loads.
The order of that history is not documented: the first page is read and, when it lists the oldest
load first, the last page too, so the newest loads are always seen in at most two requests. A load is
not safe to send twice: when its answer is lost, `recorded` reads whether Statsig recorded it before
the client sends it again (transport.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from statsig_sources.statsig.paging import Endpoints
from statsig_sources.statsig.shapes import EXPERIMENT, MESSAGE, PULSE_LOAD

EXPERIMENTS_PATH = "/experiments"
REFRESH_MODES = ("full", "incremental", "metric")  # EchidnaLoadPulseQueryDto.refresh


class ExperimentsApi(Endpoints):
    """Experiments: list them, read their result loads, and ask Statsig to load their results."""

    def list_experiments(self, status: str = "active") -> list[dict[str, Any]]:
        """Every experiment with that status, followed to the last page."""
        return self._paginate(EXPERIMENTS_PATH, EXPERIMENT, {"status": status})

    def pulse_load_history(self, experiment_id: str) -> list[dict[str, Any]]:
        """The experiment's most recent result loads (PulseLoadHistoryDto), in Statsig's order."""
        path = f"{experiment_path(experiment_id)}/pulse_load_history"
        first, pagination = _history_page(self, path, 1)
        if not pagination.get("nextPage") or not _oldest_first(first):
            return first
        last = _last_page(pagination, self.page_size)
        return first + (_history_page(self, path, last)[0] if last > 1 else [])

    def load_pulse(
        self,
        experiment_id: str,
        refresh: str,
        metric_ids: Sequence[str] = (),
        *,
        recorded: Callable[[], str | None] | None = None,
    ) -> str:
        """Ask Statsig to load the experiment's results; its answer's message ("Experiment is loading.").

        `metric_ids` (for `refresh="metric"`) go in the query and in the body, as the document requires.
        `recorded`, called when an answer was lost, says whether Statsig recorded the load (a message
        that then stands for the answer) or not (None: the load is sent again).
        """
        if refresh not in REFRESH_MODES:
            raise ValueError(f"refresh must be one of {', '.join(REFRESH_MODES)}, not {refresh!r}")
        fields: dict[str, Any] = {"refresh": refresh}
        if metric_ids:
            fields["metricIDs"] = list(metric_ids)
        path = f"{experiment_path(experiment_id)}/load_pulse"
        recheck = None if recorded is None else _recheck(recorded)
        answer = self._transport.request("POST", path, params=fields, body=fields, recheck=recheck)
        return str(self._checked(answer, MESSAGE, f"POST {path}").get("message") or "")


def _recheck(recorded: Callable[[], str | None]) -> Callable[[], dict[str, Any] | None]:
    def recheck() -> dict[str, Any] | None:
        message = recorded()
        return None if message is None else {"message": message}

    return recheck


def experiment_path(experiment_id: str) -> str:
    return f"{EXPERIMENTS_PATH}/{quote(experiment_id, safe='')}"


def _history_page(
    client: Endpoints, path: str, number: int
) -> tuple[list[dict[str, Any]], Mapping[str, Any]]:
    params = {"page": str(number), "limit": str(client.page_size)}
    return client._page(path, client._transport.request("GET", path, params=params), PULSE_LOAD)


def _oldest_first(loads: list[dict[str, Any]]) -> bool:
    return len(loads) > 1 and float(loads[0]["createdTime"]) < float(loads[-1]["createdTime"])


def _last_page(pagination: Mapping[str, Any], page_size: int) -> int:
    """The last page's number from `totalItems` (1 when Statsig does not give it)."""
    total = pagination.get("totalItems")
    if isinstance(total, bool) or not isinstance(total, (int, float)) or not math.isfinite(total):
        return 1
    return max(1, math.ceil(total / page_size))
