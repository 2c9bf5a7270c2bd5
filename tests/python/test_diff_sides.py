"""A diff never shows equal sides: whatever Statsig holds and whatever is declared, every field a plan
(or a read-back) lists as changed shows a `before` and an `after` that differ as they are printed, and
an object compared with itself has no change. Sources (sources.py) and metrics (metrics.py) alike."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from statsig_sources.registration.metrics import metric_diff
from statsig_sources.registration.plan import FieldChange
from statsig_sources.registration.report import change_lines
from statsig_sources.registration.sources import diff

TEXT = st.text(alphabet="ab \n", max_size=4)
NAME = st.sampled_from(["a", "b", "a@b"])
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(-2, 2, allow_nan=False), TEXT)

OWNER = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["email", "ownerEmail", "ownerID", "ownerName", "ownerType"]), NAME),
)
SOURCE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "description": st.one_of(st.none(), TEXT),
    "sql": st.one_of(st.none(), TEXT),
    "tags": st.lists(NAME, max_size=3),
    "idTypeMapping": st.lists(st.fixed_dictionaries({"statsigUnitID": NAME, "column": NAME}), max_size=2),
    "customFieldMapping": st.lists(
        st.fixed_dictionaries({"key": st.one_of(st.none(), NAME), "formula": NAME}), max_size=2
    ),
    "owner": OWNER,
    "timestampColumn": st.one_of(st.none(), NAME),
    "timestampAsDay": st.one_of(st.none(), st.booleans()),
    "sourceType": st.sampled_from(["query", "table"]),
    "isReadOnly": st.booleans(),
}
CRITERION = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["value", "metadata"]),
        "column": NAME,
        "condition": st.sampled_from(["in", "="]),
    },
    optional={"values": st.lists(st.one_of(NAME, st.integers(0, 2)), max_size=2)},
)
NATIVE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "aggregation": st.sampled_from(["count", "sum"]),
    "metricSourceName": NAME,
    "valueColumn": st.one_of(st.none(), NAME),
    "criteria": st.lists(CRITERION, max_size=2),
    "metricDimensionColumns": st.lists(NAME, max_size=2),
    "percentile": st.one_of(st.none(), st.integers(0, 100), st.floats(0, 100, allow_nan=False)),
    "cap": SCALAR,
}
METRIC_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "description": st.one_of(st.none(), TEXT),
    "tags": st.lists(NAME, max_size=3),
    "unitTypes": st.lists(NAME, max_size=2),
    "owner": OWNER,
    "directionality": st.sampled_from(["increase", "decrease"]),
    "isReadOnly": st.booleans(),
    "warehouseNative": st.fixed_dictionaries({}, optional=NATIVE_FIELDS),
}


def objects(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


def _printed(value: Any) -> str:
    """A side of a change as `plan` prints it (registration/report.py)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _assert_sides_differ(changes: tuple[FieldChange, ...]) -> None:
    for change in changes:
        shown = change_lines(change)
        assert _printed(change.before) != _printed(change.after), f"equal sides: {shown}"


@settings(max_examples=400, deadline=None)
@given(objects(SOURCE_FIELDS), objects(SOURCE_FIELDS))
def test_a_source_diff_never_shows_equal_sides(intended: dict[str, Any], remote: dict[str, Any]) -> None:
    _assert_sides_differ(diff(intended, remote))
    assert diff(remote, remote) == ()


@settings(max_examples=400, deadline=None)
@given(objects(METRIC_FIELDS), objects(METRIC_FIELDS))
def test_a_metric_diff_never_shows_equal_sides(intended: dict[str, Any], remote: dict[str, Any]) -> None:
    _assert_sides_differ(metric_diff(intended, remote))
    assert metric_diff(remote, remote) == ()


def test_an_owner_answered_in_the_update_s_shape_is_the_same_owner() -> None:
    """The reported case: `owner: {"email": "a@b"} -> {"email": "a@b"}`."""
    owner = {"email": "a@b"}
    assert metric_diff({"owner": owner}, {"owner": owner}) == ()
    assert metric_diff({"owner": owner}, {"owner": {"ownerEmail": "a@b", "ownerName": "A"}}) == ()
    [change] = metric_diff({"owner": owner}, {"owner": {"ownerEmail": "c@d"}})
    assert change_lines(change) == ['owner: {"ownerEmail": "c@d"} -> {"email": "a@b"}']
