"""The stand-in's endpoints: metric sources, metrics, experiments and their result loads."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from statsig_sources.standin import experiments, metrics, pulse, sources
from statsig_sources.standin.envelope import error, page
from statsig_sources.standin.service import StandIn

PREFIX = "/console/v1"
Answer = tuple[int, Any]


def route(fake: StandIn, method: str, path: str, query: dict[str, list[str]], body: Any) -> Answer:
    """The status and body Statsig would answer; raises `Reply` for an error."""
    if not path.startswith(PREFIX + "/"):
        raise error(404, f"Cannot {method} {path}")
    segments = [unquote(part) for part in path[len(PREFIX) + 1 :].split("/")]
    answer: Answer | None = None
    match (method, segments):
        case (_, ["metrics", "metric_source", *rest]):
            answer = sources.route(fake, method, rest, path, query, body)
        case (_, ["metrics", *rest]):
            answer = metrics.route(fake, method, rest, path, query, body)
        case ("GET", ["experiments"]):
            listed = experiments.listed(fake, query)
            answer = page(fake.default_page_size, path, query, listed, "Experiments listed successfully.")
        case ("GET", ["experiments", experiment_id]):
            found = experiments.experiment(fake, experiment_id)
            answer = 200, {"message": "Experiment read successfully.", "data": found}
        case ("POST", ["experiments", experiment_id, "load_pulse"]):
            answer = pulse.load(fake, experiment_id, query, body)
        case ("GET", ["experiments", experiment_id, "pulse_load_history"]):
            loads = pulse.history(fake, experiment_id)
            answer = page(
                fake.default_page_size, path, query, loads, "Pulse load history listed successfully."
            )
    if answer is None:
        raise error(404, f"Cannot {method} {path}")
    return answer
