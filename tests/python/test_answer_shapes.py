"""The msgspec models of Statsig's answers say where an answer departs from them in the sentences the
hand-written validator before them used (compared word for word, one case per kind of departure)."""

from __future__ import annotations

from typing import Any

import pytest

from statsig_sources.statsig.shapes import (
    EXPERIMENT,
    MESSAGE,
    METRIC,
    PAGINATION,
    PULSE_LOAD,
    SOURCE,
    Shape,
    problem,
)

CASES: list[tuple[Shape, bool, Any, str | None]] = [
    (SOURCE, True, [{"name": "a", "owner": "x"}], "data[0].owner is a string, not an object"),
    (
        SOURCE,
        True,
        [{"name": "a", "owner": {"ownerID": 7}}],
        "data[0].owner.ownerID is a number, not a string",
    ),
    (
        SOURCE,
        True,
        [{"name": "a", "timestampAsDay": "yes"}],
        "data[0].timestampAsDay is a string, not a boolean",
    ),
    (SOURCE, True, [{"name": ""}], "data[0].name is missing"),
    (SOURCE, True, [{"name": None}], "data[0].name is missing"),
    (SOURCE, True, [{"name": 3}], "data[0].name is a number, not a string"),
    (SOURCE, True, [{"name": "a", "tags": ["ok", None]}], "data[0].tags[1] is null, not a string"),
    (SOURCE, True, [{"name": "a", "tags": None, "isVerified": None, "unknown": [1]}], None),
    (
        METRIC,
        True,
        [{"warehouseNative": {"percentile": True}}],
        "data[0].warehouseNative.percentile is a boolean, not a number or float",
    ),
    (
        METRIC,
        True,
        [{"warehouseNative": {"funnelEvents": [{"criteria": [{"values": [1]}]}]}}],
        "data[0].warehouseNative.funnelEvents[0].criteria[0].values[0] is a number, not a string",
    ),
    (METRIC, False, None, "data is null, not an object"),
    (METRIC, False, [], "data is a list, not an object"),
    (
        EXPERIMENT,
        True,
        [{"id": "e", "primaryMetrics": [{"name": "m"}]}],
        "data[0].primaryMetrics[0].type is missing",
    ),
    (EXPERIMENT, True, [{"name": "x"}], "data[0].id is missing"),
    (PULSE_LOAD, True, [{"createdTime": None}], "data[0].createdTime is missing"),
    (PULSE_LOAD, True, [{"createdTime": 1, "turboMode": 0}], "data[0].turboMode is a number, not a boolean"),
    (PAGINATION, False, {"totalItems": "12"}, "data.totalItems is a string, not a number or float"),
    (MESSAGE, False, "ok", "data is a string, not an object"),
]


@pytest.mark.parametrize(("shape", "many", "value", "expected"), CASES)
def test_a_departure_from_the_models_reads_as_the_validator_before_them_said(
    shape: Shape, many: bool, value: Any, expected: str | None
) -> None:
    assert problem(value, shape, "data", many=many) == expected


def test_the_models_keep_the_fields_a_plan_fingerprints() -> None:
    assert {"name", "sql", "idTypeMapping", "owner", "teamID"} <= set(SOURCE.fields)
    assert "percentile" in METRIC.fields["warehouseNative"].fields
    assert (SOURCE.kind, METRIC.kind, EXPERIMENT.kind, PULSE_LOAD.kind) == (
        "source",
        "metric",
        "experiment",
        "pulse_load",
    )
