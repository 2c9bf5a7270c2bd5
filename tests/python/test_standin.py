"""The stand-in over HTTP: Statsig's exact bodies for what it accepts and refuses, experiments strictly
per their OpenAPI document, faults, and the not-Statsig header on every answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support import KEY, source

from statsig_sources.standin import STAND_IN_HEADER, FakeStatsig, Fault, make_metric
from statsig_sources.standin.schemas import response_validator
from statsig_sources.support.errors import InputError

INVALID = "Invalid request. Please check the request input and try again."
EXPERIMENTS = [
    {"id": "checkout_button", "status": "active", "primaryMetrics": [{"name": "Revenue", "type": "sum"}]},
    {"id": "new_onboarding", "status": "setup"},
    {"id": "old_pricing", "status": "decision_made", "decisionReason": "Test won"},
    {"id": "search_ranking", "status": "active"},
]


def call(
    fake: FakeStatsig, method: str, path: str, body: Any = None, key: str | None = KEY
) -> httpx.Response:
    headers = {"STATSIG-API-KEY": key} if key else {}
    return httpx.request(method, fake.url + path, json=body, headers=headers)


def valid_answer(path: str, method: str, response: httpx.Response) -> list[str]:
    """What the documents' response schema for `method path` finds wrong with the answer."""
    checker = response_validator("/console/v1" + path, method, str(response.status_code))
    return [error.message for error in checker.iter_errors(response.json())]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "orders"},
            [
                {"property": "sql", "errorMessage": "'sql' is a required property"},
                {"property": "timestampColumn", "errorMessage": "'timestampColumn' is a required property"},
                {"property": "idTypeMapping", "errorMessage": "'idTypeMapping' is a required property"},
            ],
        ),
        (
            {**source("orders"), "timestampColum": "ts"},
            [
                {
                    "property": "timestampColum",
                    "errorMessage": "Additional properties are not allowed ('timestampColum' was unexpected)",
                }
            ],
        ),
        (
            {**source("orders"), "idTypeMapping": [{"statsigUnitID": "userID", "column": 7}]},
            [{"property": "idTypeMapping.0.column", "errorMessage": "7 is not of type 'string'"}],
        ),
    ],
    ids=["missing-required", "unknown-field", "wrong-type"],
)
def test_create_refuses_what_breaks_the_schema_with_statsigs_error_body(
    fake: FakeStatsig, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    response = call(fake, "POST", "/metrics/metric_source", body)
    assert (response.status_code, response.json()) == (
        400,
        {"status": 400, "message": INVALID, "errors": errors},
    )
    assert fake.sources == {}


def refusal(message: str, errors: list[dict[str, str]] | None = None, status: int = 400) -> dict[str, Any]:
    return {"status": status, "message": message, **({"errors": errors} if errors else {})}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "answer"),
    [
        ("POST", "/metrics/metric_source", [1], 400, refusal(INVALID)),
        (
            "GET",
            "/metrics/metric_source/nope",
            None,
            404,
            refusal("Metric source 'nope' not found.", status=404),
        ),
        ("GET", "/metrics/nope::sum", None, 404, refusal("Metric 'nope::sum' not found.", status=404)),
        (
            "PUT",
            "/metrics/metric_source/x",
            {},
            404,
            refusal("Cannot PUT /console/v1/metrics/metric_source/x", status=404),
        ),
        (
            "GET",
            "/metrics/metric_source/list?limit=0",
            None,
            400,
            refusal(
                "Invalid request.", [{"property": "limit", "errorMessage": "must be a positive integer"}]
            ),
        ),
        (
            "GET",
            "/experiments/missing",
            None,
            404,
            refusal("Not Found. The requested resource could not be found.", status=404),
        ),
    ],
    ids=[
        "not-an-object",
        "unknown-source",
        "unknown-metric",
        "put-not-update",
        "bad-limit",
        "unknown-experiment",
    ],
)
def test_refusals_have_statsigs_exact_bodies(
    fake: FakeStatsig, method: str, path: str, body: Any, status: int, answer: dict[str, Any]
) -> None:
    response = call(fake, method, path, body)
    assert (response.status_code, response.json()) == (status, answer)


def test_a_non_console_key_is_refused_and_echoed_as_statsig_does(fake: FakeStatsig) -> None:
    response = call(fake, "GET", "/experiments", key="secret-server-key")
    message = "This endpoint only accepts an active CONSOLE key, but an invalid key was sent. Key: {}"
    assert (response.status_code, response.json()) == (
        401,
        {"status": 401, "message": message.format("secret-server-key")},
    )


def test_update_is_a_post_and_the_name_cannot_change(fake: FakeStatsig) -> None:
    fake.seed_sources([source("orders")])
    renamed = call(fake, "POST", "/metrics/metric_source/orders", {**source("other"), "description": "x"})
    assert renamed.json()["errors"] == [{"property": "name", "errorMessage": "cannot be changed"}]
    updated = call(fake, "POST", "/metrics/metric_source/orders", {**source("orders"), "description": "new"})
    assert updated.status_code == 200
    assert fake.sources["orders"]["description"] == "new"


def test_a_source_in_use_is_not_deleted(fake: FakeStatsig) -> None:
    fake.seed_sources([source("orders"), source("clicks")])
    fake.seed_metrics([make_metric("Revenue", "orders")])
    refused = call(fake, "DELETE", "/metrics/metric_source/orders")
    assert refused.json() == {
        "status": 400,
        "message": "Metric source 'orders' is used by metrics and cannot be deleted.",
    }
    deleted = call(fake, "DELETE", "/metrics/metric_source/clicks")
    assert (deleted.status_code, deleted.json()) == (200, {"message": "Metric source deleted successfully."})
    assert sorted(fake.sources) == ["orders"]


def test_a_metric_is_read_by_its_url_encoded_id(fake: FakeStatsig) -> None:
    metric = make_metric("Revenue per User", "orders", aggregation="sum", valueColumn="value")
    fake.seed_metrics([metric])
    response = call(fake, "GET", "/metrics/Revenue%20per%20User%3A%3Auser_warehouse")
    assert response.json() == {"message": "Metric read successfully.", "data": metric}
    assert valid_answer("/metrics/{id}", "GET", response) == []


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("", ["checkout_button", "new_onboarding", "old_pricing", "search_ranking"]),
        ("?status=active", ["checkout_button", "search_ranking"]),
        ("?status=setup&status=decision_made", ["new_onboarding", "old_pricing"]),
        ("?status=archived", []),
    ],
    ids=["all", "one-status", "status-list", "none"],
)
def test_experiments_are_listed_by_status(fake: FakeStatsig, query: str, ids: list[str]) -> None:
    fake.seed_experiments(EXPERIMENTS)
    response = call(fake, "GET", "/experiments" + query)
    assert [experiment["id"] for experiment in response.json()["data"]] == ids
    assert valid_answer("/experiments", "GET", response) == []


def test_experiments_are_paginated_as_statsig_paginates(fake: FakeStatsig) -> None:
    fake.seed_experiments(EXPERIMENTS)
    response = call(fake, "GET", "/experiments?status=active&status=setup&page=2&limit=2")
    assert response.json()["pagination"] == {
        "itemsPerPage": 2,
        "pageNumber": 2,
        "nextPage": None,
        "previousPage": "/console/v1/experiments?page=1&limit=2",
        "totalItems": 3,
        "all": "/console/v1/experiments",
    }
    assert [experiment["id"] for experiment in response.json()["data"]] == ["search_ranking"]


def test_an_unknown_status_is_refused(fake: FakeStatsig) -> None:
    response = call(fake, "GET", "/experiments?status=active&status=running")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["property"] == "status"
    assert error["errorMessage"].startswith("'running' is not one of ['active', 'setup'")


def test_an_experiment_is_read_with_statsigs_fields_filled_in(fake: FakeStatsig) -> None:
    fake.seed_experiments(EXPERIMENTS[:1])
    response = call(fake, "GET", "/experiments/checkout_button")
    data = response.json()["data"]
    assert (data["id"], data["name"], data["status"], data["idType"]) == (
        "checkout_button",
        "checkout_button",
        "active",
        "userID",
    )
    assert data["primaryMetrics"] == [{"name": "Revenue", "type": "sum"}]
    assert [group["name"] for group in data["groups"]] == ["Control", "Test"]
    assert valid_answer("/experiments/{id}", "GET", response) == []


def test_a_seeded_experiment_that_breaks_the_schema_is_refused(fake: FakeStatsig) -> None:
    with pytest.raises(InputError, match="'running' is not one of"):
        fake.seed_experiments([{"id": "x_test", "status": "running"}])
    assert fake.state.experiments == {}


def test_list_answers_match_the_documents_response_schemas(fake: FakeStatsig) -> None:
    fake.seed_sources([source("orders")])
    fake.seed_metrics([make_metric("Revenue", "orders")])
    for path, documented in [
        ("/metrics/metric_source/list?limit=1", "/metrics/metric_source/list"),
        ("/metrics/metric_source/orders", "/metrics/metric_source/{name}"),
        ("/metrics/metric_source/orders/metrics", "/metrics/metric_source/{name}/metrics"),
        ("/metrics/list?showHiddenMetrics=true", "/metrics/list"),
    ]:
        assert valid_answer(documented, "GET", call(fake, "GET", path)) == [], path


@pytest.mark.parametrize(
    ("fault", "answer"),
    [
        (
            Fault("status", status=429, retry_after="3"),
            (429, {"status": 429, "message": "Injected failure."}),
        ),
        (Fault("status", status=502, method="GET"), (502, {"status": 502, "message": "Injected failure."})),
    ],
    ids=["429-with-retry-after", "502"],
)
def test_an_injected_status_answers_once_then_the_stand_in_recovers(
    fake: FakeStatsig, fault: Fault, answer: tuple[int, dict[str, Any]]
) -> None:
    fake.inject(fault)
    failed = call(fake, "GET", "/metrics/metric_source/list")
    assert (failed.status_code, failed.json()) == answer
    assert failed.headers.get("Retry-After") == fault.retry_after
    assert call(fake, "GET", "/metrics/metric_source/list").status_code == 200


def test_a_drop_after_takes_effect_without_an_answer(fake: FakeStatsig) -> None:
    fake.inject(Fault("drop_after", method="POST"))
    with pytest.raises(httpx.RemoteProtocolError):
        call(fake, "POST", "/metrics/metric_source", source("orders"))
    assert list(fake.sources) == ["orders"]
    assert [(r.method, r.answered) for r in fake.requests] == [("POST", 201)]


@pytest.mark.parametrize(
    ("method", "path", "key"),
    [
        ("GET", "/metrics/metric_source/list", KEY),
        ("GET", "/experiments/missing", KEY),
        ("GET", "/experiments", "not-a-console-key"),
        ("POST", "/metrics/metric_source", KEY),
        ("GET", "/elsewhere", KEY),
    ],
    ids=["200", "404", "401", "400", "unknown-path"],
)
def test_every_answer_says_it_is_not_statsig_in_a_header_only(
    fake: FakeStatsig, method: str, path: str, key: str
) -> None:
    response = call(fake, method, path, {} if method == "POST" else None, key=key)
    name, value = STAND_IN_HEADER
    assert response.headers[name] == value == "not Statsig"
    assert "not Statsig" not in response.text
    assert set(response.json()) in (
        {"message", "data", "pagination"},
        {"status", "message"},
        {"status", "message", "errors"},
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_a_non_loopback_address_is_refused_unless_allowed(host: str) -> None:
    with pytest.raises(
        InputError, match=f"^{host} is not a loopback address; the stand-in listens on one only.$"
    ):
        FakeStatsig(host=host).start()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_addresses_serve_and_the_url_names_them(host: str) -> None:
    with FakeStatsig(host=host) as fake:
        shown = f"[{host}]" if host == "::1" else host
        assert fake.url.startswith(f"http://{shown}:") and fake.url.endswith("/console/v1")
        assert call(fake, "GET", "/experiments").status_code == 200
