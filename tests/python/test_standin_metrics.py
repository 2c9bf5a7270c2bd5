"""The stand-in's metric endpoints over HTTP: bodies validated strictly against the OpenAPI document's
MetricCreationContractDto and MetricsUpdateContractDto, answers in ExternalMetricDefinitionContractDto
and Statsig's envelope, and the archive, delete and lineage endpoints as the document gives them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support import KEY, source

from statsig_sources.standin import FakeStatsig
from statsig_sources.standin.schemas import response_validator

INVALID = "Invalid request. Please check the request input and try again."
REVENUE = {
    "name": "Order revenue",
    "type": "user_warehouse",
    "description": "Completed orders, in USD.",
    "tags": ["revenue"],
    "unitTypes": ["userID"],
    "directionality": "increase",
    "isReadOnly": True,
    "warehouseNative": {
        "aggregation": "sum",
        "metricSourceName": "orders",
        "valueColumn": "value",
        "criteria": [{"type": "metadata", "column": "status", "condition": "in", "values": ["completed"]}],
        "metricDimensionColumns": ["status"],
    },
}
ID = "Order revenue::user_warehouse"
PATH = "/metrics/Order%20revenue%3A%3Auser_warehouse"


def call(fake: FakeStatsig, method: str, path: str, body: Any = None) -> httpx.Response:
    return httpx.request(method, fake.url + path, json=body, headers={"STATSIG-API-KEY": KEY})


def documented(path: str, method: str, response: httpx.Response) -> list[str]:
    """What the document's response schema for `method path` finds wrong with the answer."""
    checker = response_validator("/console/v1" + path, method, str(response.status_code))
    return [error.message for error in checker.iter_errors(response.json())]


@pytest.fixture()
def with_orders(fake: FakeStatsig) -> FakeStatsig:
    fake.seed_sources([source("orders")])
    return fake


def test_a_created_metric_is_answered_and_listed_in_statsigs_shape(with_orders: FakeStatsig) -> None:
    created = call(with_orders, "POST", "/metrics", REVENUE)
    assert created.status_code == 201 and documented("/metrics", "POST", created) == []
    data = created.json()["data"]
    assert created.json()["message"] == "Metric created successfully."
    assert {key: data[key] for key in REVENUE} == REVENUE
    assert (data["id"], data["isHidden"], data["creatorName"]) == (ID, False, "CONSOLE API")
    read = call(with_orders, "GET", PATH)
    assert (read.status_code, read.json()["data"]) == (200, data)
    by_name = call(with_orders, "GET", "/metrics/Order%20revenue/user_warehouse")
    assert by_name.json()["data"] == data
    listed = call(with_orders, "GET", "/metrics/list?showHiddenMetrics=true&limit=10")
    assert [metric["id"] for metric in listed.json()["data"]] == [ID]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "Order revenue"},
            [{"property": "type", "errorMessage": "'type' is a required property"}],
        ),
        (
            {**REVENUE, "name": "Rev"},
            [{"property": "name", "errorMessage": "'Rev' is too short"}],
        ),
        (
            {**REVENUE, "name": "Revenue #1"},
            [
                {
                    "property": "name",
                    "errorMessage": "'Revenue #1' does not match '^[a-zA-Z0-9_.\\\\-()/ %:]*$'",
                }
            ],
        ),
        (
            {**REVENUE, "owner": {"email": "a@example.com"}},
            [
                {
                    "property": "owner",
                    "errorMessage": "Additional properties are not allowed ('owner' was unexpected)",
                }
            ],
        ),
        (
            {**REVENUE, "warehouseNative": {**REVENUE["warehouseNative"], "aggregation": "median"}},
            [
                {
                    "property": "warehouseNative.aggregation",
                    "errorMessage": "'median' is not one of ['count', 'sum', 'mean', 'daily_participation', "
                    "'ratio', 'funnel', 'count_distinct', 'percentile', 'first_value', 'latest_value', "
                    "'retention', 'max', 'min', '']",
                }
            ],
        ),
        (
            {
                **REVENUE,
                "warehouseNative": {**REVENUE["warehouseNative"], "criteria": [{"column": "status"}]},
            },
            [
                {
                    "property": "warehouseNative.criteria.0.type",
                    "errorMessage": "'type' is a required property",
                },
                {
                    "property": "warehouseNative.criteria.0.condition",
                    "errorMessage": "'condition' is a required property",
                },
            ],
        ),
        (
            {**REVENUE, "warehouseNative": {**REVENUE["warehouseNative"], "metricSourceName": "refunds"}},
            [
                {
                    "property": "warehouseNative.metricSourceName",
                    "errorMessage": "Metric source 'refunds' not found.",
                }
            ],
        ),
    ],
    ids=[
        "missing-type",
        "name-too-short",
        "name-pattern",
        "owner-on-create",
        "aggregation",
        "criterion",
        "no-source",
    ],
)
def test_create_refuses_a_body_the_document_refuses(
    with_orders: FakeStatsig, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    response = call(with_orders, "POST", "/metrics", body)
    assert (response.status_code, response.json()) == (
        400,
        {"status": 400, "message": INVALID, "errors": errors},
    )
    assert with_orders.metrics == {}


def test_a_second_create_of_one_name_is_refused(with_orders: FakeStatsig) -> None:
    assert call(with_orders, "POST", "/metrics", REVENUE).status_code == 201
    again = call(with_orders, "POST", "/metrics", REVENUE)
    assert (again.status_code, again.json()) == (
        400,
        {"status": 400, "message": "Metric with name 'Order revenue' already exists."},
    )


def test_a_dry_run_validates_and_stores_nothing(with_orders: FakeStatsig) -> None:
    response = call(with_orders, "POST", "/metrics", {**REVENUE, "dryRun": True})
    assert response.status_code == 201 and "dryRun" not in response.json()["data"]
    assert with_orders.metrics == {}


def test_an_update_replaces_what_it_sends_and_sets_the_owner(with_orders: FakeStatsig) -> None:
    call(with_orders, "POST", "/metrics", REVENUE)
    native = {"aggregation": "count", "metricSourceName": "orders"}
    body = {"description": "Orders.", "owner": {"email": "growth@example.com"}, "warehouseNative": native}
    response = call(with_orders, "POST", PATH, body)
    assert response.status_code == 200 and documented("/metrics/{id}", "POST", response) == []
    stored = with_orders.metrics[ID]
    assert stored["warehouseNative"] == native  # replaced as a whole, not merged
    assert stored["owner"] == {
        "name": "growth@example.com",
        "ownerName": "growth@example.com",
        "ownerType": "USER",
        "ownerEmail": "growth@example.com",
    }
    assert (stored["description"], stored["tags"]) == ("Orders.", ["revenue"])


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"type": "sum"},
            [
                {
                    "property": "type",
                    "errorMessage": "Additional properties are not allowed ('type' was unexpected)",
                }
            ],
        ),
        ({"name": "Other name"}, [{"property": "name", "errorMessage": "cannot be changed"}]),
        (
            {"owner": {"name": "Ann"}},
            [
                {
                    "property": "owner.name",
                    "errorMessage": "Additional properties are not allowed ('name' was unexpected)",
                }
            ],
        ),
    ],
    ids=["type", "rename", "owner-name"],
)
def test_update_refuses_what_the_document_refuses(
    with_orders: FakeStatsig, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    call(with_orders, "POST", "/metrics", REVENUE)
    before = with_orders.metrics
    response = call(with_orders, "POST", PATH, body)
    assert (response.status_code, response.json()) == (
        400,
        {"status": 400, "message": INVALID, "errors": errors},
    )
    assert with_orders.metrics == before


def test_delete_removes_a_metric_and_then_answers_404(with_orders: FakeStatsig) -> None:
    call(with_orders, "POST", "/metrics", REVENUE)
    deleted = call(with_orders, "DELETE", PATH)
    assert (deleted.status_code, deleted.json()) == (200, {"message": "Metric deleted successfully."})
    assert documented("/metrics/{id}", "DELETE", deleted) == [] and with_orders.metrics == {}
    again = call(with_orders, "DELETE", PATH)
    assert (again.status_code, again.json()) == (404, {"status": 404, "message": f"Metric '{ID}' not found."})


def test_a_source_is_not_deleted_while_a_created_metric_reads_it(with_orders: FakeStatsig) -> None:
    call(with_orders, "POST", "/metrics", REVENUE)
    refused = call(with_orders, "DELETE", "/metrics/metric_source/orders")
    assert refused.status_code == 400 and "orders" in with_orders.sources
    call(with_orders, "DELETE", PATH)
    assert call(with_orders, "DELETE", "/metrics/metric_source/orders").status_code == 200


@pytest.mark.parametrize(
    ("action", "message", "scheduled"),
    [
        ("schedule_archive", "Metric archive scheduled successfully for next day.", {ID}),
        ("cancel_archive", "Metric archival cancelled successfully.", set()),
        ("unarchive", "Metric unarchived successfully.", set()),
    ],
)
def test_archiving_answers_as_documented_and_leaves_the_metric_as_it_was(
    with_orders: FakeStatsig, action: str, message: str, scheduled: set[str]
) -> None:
    call(with_orders, "POST", "/metrics", REVENUE)
    before = with_orders.metrics
    response = call(with_orders, "PUT", f"{PATH}/{action}")
    assert (response.status_code, response.json()) == (200, {"message": message})
    assert documented(f"/metrics/{{id}}/{action}", "PUT", response) == []
    assert with_orders.metrics == before and with_orders.archive_scheduled == scheduled


def test_a_metrics_experiments_are_those_that_name_it(with_orders: FakeStatsig) -> None:
    call(with_orders, "POST", "/metrics", REVENUE)
    with_orders.seed_experiments(
        [
            {"id": "checkout", "primaryMetrics": [{"name": "Order revenue", "type": "user_warehouse"}]},
            {"id": "pricing", "secondaryMetrics": [{"name": "Order revenue", "type": "user_warehouse"}]},
            {"id": "search", "primaryMetrics": [{"name": "Order revenue", "type": "sum"}]},
        ]
    )
    response = call(with_orders, "GET", f"{PATH}/experiments?limit=10")
    assert response.status_code == 200 and documented("/metrics/{id}/experiments", "GET", response) == []
    assert [experiment["id"] for experiment in response.json()["data"]] == ["checkout", "pricing"]
