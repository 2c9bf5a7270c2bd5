"""Result loads of experiments (Warehouse Native): `load_pulse` and `pulse_load_history`, strictly per
`console-api-experiments-pulse.openapi.json`.

`load_pulse` validates its query parameters (`refresh`, `metricIDs`, `ruleId`, `turboMode`, nothing
else) and its required JSON body (`EchidnaLoadPulseQueryDto`), then records a load in the experiment's
history (`PulseLoadHistoryDto`, newest first). Undocumented, so the stand-in takes the strictest
reading: the query and the body must agree where both give a field; `refresh=metric` needs
`metricIDs`, each naming a metric the stand-in holds. Tests script how each load ends
(`script_loads`), mark an experiment whose loads Statsig refuses (`refuse_loads`), and seed the loads
that came before (`seed_load_history`).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from jsonschema.exceptions import best_match

from statsig_sources.standin.envelope import INVALID, error
from statsig_sources.standin.experiments import experiment as experiment_or_404
from statsig_sources.standin.schemas import parameter_validator, problems
from statsig_sources.standin.service import StandIn
from statsig_sources.standin.state import Load

LOAD_PATH = "/console/v1/experiments/{id}/load_pulse"
PARAMETERS = ("refresh", "metricIDs", "ruleId", "turboMode")
FINISHED_STATES = ("success", "failure", "partial_failure", "cancelled", "timeout")
LOADING = "Experiment is loading."  # the document's example answer
CREATOR = "Console API"


def history(fake: StandIn, experiment_id: str) -> list[dict[str, Any]]:
    experiment_or_404(fake, experiment_id)
    with fake.lock:
        return list(fake.pulse.history.get(experiment_id, []))


def load(fake: StandIn, experiment_id: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    """Validate a `load_pulse` request, then record the load; 200 with the document's message."""
    experiment = experiment_or_404(fake, experiment_id)
    fields = _checked_request(fake, query, body)
    with fake.lock:
        refusal = fake.pulse.refused.get(experiment_id)
        if refusal is not None:
            raise error(*refusal)
        scripted = fake.pulse.scripted.get(experiment_id) or ["success"]
        state = scripted.pop(0)
        created = time.time() * 1000
        record = _record(experiment, fields, created, state)
        fake.pulse.history.setdefault(experiment_id, []).insert(0, record)
        metric_ids = tuple(fields.get("metricIDs", ()))
        fake.pulse.loads.append(Load(experiment_id, record["reloadType"], metric_ids, created))
    return 200, {"message": LOADING}


def _checked_request(fake: StandIn, query: dict[str, list[str]], body: Any) -> dict[str, Any]:
    """The load's fields, from the body and the query, which must agree; a 400 for what is wrong."""
    if not isinstance(body, dict):
        raise error(400, INVALID, [{"property": "(body)", "errorMessage": "a JSON object is required"}])
    found = problems("EchidnaLoadPulseQueryDto", body)
    found += [
        {"property": name, "errorMessage": "is not a query parameter of load_pulse"}
        for name in sorted(set(query) - set(PARAMETERS))
    ]
    given = {name: _parameter(name, values) for name, values in query.items() if name in PARAMETERS}
    for name, value in given.items():
        problem = best_match(parameter_validator(LOAD_PATH, "POST", name).iter_errors(value))
        if problem is not None:
            found.append({"property": name, "errorMessage": problem.message})
        elif name in body and body[name] != value:
            found.append({"property": name, "errorMessage": "the query and the body disagree"})
    fields = {**given, **body}
    found += _metric_problems(fake, fields)
    if found:
        raise error(400, INVALID, found)
    return fields


def _parameter(name: str, values: list[str]) -> Any:
    """A query parameter as its schema types it: an array repeats, a boolean is true or false."""
    if name == "metricIDs":
        return list(values)
    if name == "turboMode":
        return {"true": True, "false": False}.get(values[-1], values[-1])
    return values[-1]


def _metric_problems(fake: StandIn, fields: dict[str, Any]) -> list[dict[str, str]]:
    metric_ids = fields.get("metricIDs") or []
    if fields.get("refresh", "full") == "metric" and not metric_ids:
        return [{"property": "metricIDs", "errorMessage": "refresh=metric needs the metrics to load"}]
    with fake.lock:
        known = {str(metric.get("id")) for metric in fake.state.metrics}
    unknown = [metric_id for metric_id in metric_ids if isinstance(metric_id, str) and metric_id not in known]
    return [{"property": "metricIDs", "errorMessage": f"Metric '{name}' not found."} for name in unknown]


def _record(
    experiment: dict[str, Any], fields: dict[str, Any], created_ms: float, state: str | None
) -> dict[str, Any]:
    """A PulseLoadHistoryDto: loaded from the experiment's start (or today) to today, in UTC."""
    today = datetime.now(timezone.utc).date().isoformat()
    started = experiment.get("startTime")
    start = datetime.fromtimestamp(started / 1000, timezone.utc).date().isoformat() if started else today
    record: dict[str, Any] = {
        "creatorName": CREATOR,
        "createdTime": created_ms,
        "startDs": start,
        "endDs": today,
        "reloadType": fields.get("refresh", "full"),
        "turboMode": fields.get("turboMode", False),
    }
    if state is not None:
        record.update(finishedState=state, finishedTime=created_ms)
    return record
