"""The stand-in's result loads, strictly per console-api-experiments-pulse.openapi.json: `load_pulse`
validates its query and its required body, records a load in `pulse_load_history` (newest first), and
answers what tests script (how a load ends, a refused experiment)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support import KEY
from test_standin import INVALID, call, valid_answer

from statsig_sources.standin import FakeStatsig, make_metric

REVENUE = "Revenue::user_warehouse"
LOAD = "/experiments/checkout/load_pulse"
HISTORY = "/experiments/checkout/pulse_load_history"


@pytest.fixture
def fake(fake: FakeStatsig) -> FakeStatsig:
    fake.seed_metrics([make_metric("Revenue", "orders"), make_metric("Clicks", "clicks")])
    fake.seed_experiments([{"id": "checkout", "startTime": 1767225600000}])
    return fake


def post(fake: FakeStatsig, query: str, body: Any) -> httpx.Response:
    headers = {"STATSIG-API-KEY": KEY}
    if body is ...:
        return httpx.post(fake.url + LOAD + query, headers=headers)
    return httpx.post(fake.url + LOAD + query, json=body, headers=headers)


def test_a_metric_load_is_accepted_and_recorded_in_the_history(fake: FakeStatsig) -> None:
    body = {"refresh": "metric", "metricIDs": [REVENUE]}
    response = post(fake, f"?refresh=metric&metricIDs={REVENUE}", body)
    assert (response.status_code, response.json()) == (200, {"message": "Experiment is loading."})
    assert valid_answer("/experiments/{id}/load_pulse", "POST", response) == []
    [load] = fake.loads
    assert (load.experiment_id, load.refresh, load.metric_ids) == ("checkout", "metric", (REVENUE,))
    history = call(fake, "GET", HISTORY)
    assert valid_answer("/experiments/{id}/pulse_load_history", "GET", history) == []
    [record] = history.json()["data"]
    assert record["createdTime"] == load.created_ms == record["finishedTime"]
    assert (record["reloadType"], record["finishedState"], record["startDs"]) == (
        "metric",
        "success",
        "2026-01-01",
    )


@pytest.mark.parametrize(
    ("query", "body", "errors"),
    [
        ("", ..., [{"property": "(body)", "errorMessage": "a JSON object is required"}]),
        (
            "",
            {"refresh": "metric", "metricIds": [REVENUE]},
            [
                {
                    "property": "metricIds",
                    "errorMessage": "Additional properties are not allowed ('metricIds' was unexpected)",
                },
                {"property": "metricIDs", "errorMessage": "refresh=metric needs the metrics to load"},
            ],
        ),
        (
            "",
            {"refresh": "everything"},
            [
                {
                    "property": "refresh",
                    "errorMessage": "'everything' is not one of ['full', 'incremental', 'metric']",
                }
            ],
        ),
        (
            "?refresh=full&metricIDs=Revenue::user_warehouse",
            {"refresh": "metric", "metricIDs": [REVENUE]},
            [{"property": "refresh", "errorMessage": "the query and the body disagree"}],
        ),
        (
            "?refresh=metric&metricIDs=Clicks::user_warehouse",
            {"refresh": "metric", "metricIDs": [REVENUE]},
            [{"property": "metricIDs", "errorMessage": "the query and the body disagree"}],
        ),
        (
            "?turboMode=maybe&since=today",
            {"refresh": "full"},
            [
                {"property": "since", "errorMessage": "is not a query parameter of load_pulse"},
                {"property": "turboMode", "errorMessage": "'maybe' is not of type 'boolean'"},
            ],
        ),
        (
            "",
            {"refresh": "metric", "metricIDs": ["Revenue", REVENUE]},
            [{"property": "metricIDs", "errorMessage": "Metric 'Revenue' not found."}],
        ),
    ],
    ids=[
        "no-body",
        "misspelt-field",
        "unknown-mode",
        "refresh-disagrees",
        "ids-disagree",
        "bad-query",
        "not-an-id",
    ],
)
def test_a_load_that_breaks_the_document_is_refused_and_not_recorded(
    fake: FakeStatsig, query: str, body: Any, errors: list[dict[str, str]]
) -> None:
    response = post(fake, query, body)
    assert (response.status_code, response.json()) == (
        400,
        {"status": 400, "message": INVALID, "errors": errors},
    )
    assert fake.loads == []
    assert call(fake, "GET", HISTORY).json()["data"] == []


def test_without_a_refresh_the_documents_default_is_a_full_load(fake: FakeStatsig) -> None:
    assert post(fake, "?turboMode=true", {"turboMode": True}).status_code == 200
    [record] = call(fake, "GET", HISTORY).json()["data"]
    assert (record["reloadType"], record["turboMode"]) == ("full", True)


def test_scripted_loads_end_as_told_then_succeed(fake: FakeStatsig) -> None:
    fake.script_loads("checkout", "failure", None)
    for _ in range(3):
        assert post(fake, "", {"refresh": "full"}).status_code == 200
    records = call(fake, "GET", HISTORY).json()["data"]
    assert [record.get("finishedState") for record in records] == ["success", None, "failure"]  # newest first
    assert "finishedTime" not in records[1]
    with pytest.raises(ValueError, match="finishedState must be one of"):
        fake.script_loads("checkout", "done")


def test_an_experiment_marked_not_loadable_is_refused_with_its_message(fake: FakeStatsig) -> None:
    fake.refuse_loads("checkout", "Experiment is not running.", status=409)
    response = post(fake, "", {"refresh": "full"})
    assert (response.status_code, response.json()) == (
        409,
        {"status": 409, "message": "Experiment is not running."},
    )
    assert fake.loads == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/experiments/gone/load_pulse"), ("GET", "/experiments/gone/pulse_load_history")],
)
def test_an_unknown_experiment_is_404(fake: FakeStatsig, method: str, path: str) -> None:
    response = call(fake, method, path, {"refresh": "full"} if method == "POST" else None)
    assert (response.status_code, response.json()) == (
        404,
        {"status": 404, "message": "Not Found. The requested resource could not be found."},
    )


def test_the_history_is_paginated_and_seeded_loads_are_validated(fake: FakeStatsig) -> None:
    older = {"createdTime": 1767225600000, "startDs": "2026-01-01", "endDs": "2026-01-01"}
    fake.seed_load_history("checkout", [{**older, "reloadType": "full", "turboMode": False}])
    post(fake, "", {"refresh": "incremental"})
    page = call(fake, "GET", HISTORY + "?page=2&limit=1").json()
    assert [record["createdTime"] for record in page["data"]] == [1767225600000]
    assert page["pagination"]["previousPage"] == "/console/v1" + HISTORY + "?page=1&limit=1"
    with pytest.raises(ValueError, match="not a valid PulseLoadHistoryDto"):
        fake.seed_load_history("checkout", [{**older, "reloadType": "daily", "turboMode": False}])


def test_loads_are_mutations_under_the_stand_ins_rate_limit() -> None:
    with FakeStatsig(rate_limit=(1, 60.0)) as fake:
        fake.seed_experiments([{"id": "checkout"}])
        assert post(fake, "", {"refresh": "full"}).status_code == 200
        throttled = post(fake, "", {"refresh": "full"})
        assert throttled.status_code == 429 and float(throttled.headers["Retry-After"]) > 0
        assert len(fake.loads) == 1
