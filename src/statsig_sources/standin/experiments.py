"""Experiments: list, filtered by status and paginated, and read one by id (their result loads are in
pulse.py)."""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import best_match

from statsig_sources.standin.envelope import error
from statsig_sources.standin.schemas import parameter_validator
from statsig_sources.standin.service import StandIn

LIST_PATH = "/console/v1/experiments"


def listed(fake: StandIn, query: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every experiment, or those whose status is one of the `status` parameters (one or repeated)."""
    statuses = query.get("status", [])
    wanted = statuses[0] if len(statuses) == 1 else statuses
    problem = best_match(parameter_validator(LIST_PATH, "GET", "status").iter_errors(wanted))
    if problem is not None:
        raise error(400, "Invalid request.", [{"property": "status", "errorMessage": problem.message}])
    with fake.lock:
        experiments = list(fake.state.experiments.values())
    return [e for e in experiments if not statuses or e["status"] in statuses]


def experiment(fake: StandIn, experiment_id: str) -> dict[str, Any]:
    with fake.lock:
        found = fake.state.experiments.get(experiment_id)
    if found is None:
        # The message of the documents' own example for this 404.
        raise error(404, "Not Found. The requested resource could not be found.")
    return found
