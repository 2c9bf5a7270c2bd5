"""The shape of what Statsig answers, checked once at the client's boundary.

Only the fields this tool reads are checked, with the JSON types Statsig's OpenAPI document gives them
(`MetricSourceContractDto`, `ExternalMetricDefinitionContractDto`, `ExternalExperimentDto`,
`PulseLoadHistoryDto`, `PaginationResponseMetadataDto`);
null stands for an absent optional field, and unknown fields are ignored. An answer of another shape
(`data: ["x"]`, `idTypeMapping: "x"`) is a remote error naming the endpoint and the offending path,
never an AttributeError deep inside the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Shape:
    """A JSON value of one of `types`; an object's `fields`, a list's `items`, checked in turn."""

    types: tuple[type, ...]
    fields: Mapping[str, Shape] = field(default_factory=dict)
    items: Shape | None = None
    required: tuple[str, ...] = ()  # fields that must be present and not null
    kind: str = ""  # what an object of this shape is (`source`, `metric`, ...), for a log of reads


TEXT = Shape((str,))
FLAG = Shape((bool,))
NUMBER = Shape((int, float))


def _obj(fields: Mapping[str, Shape], required: tuple[str, ...] = (), kind: str = "") -> Shape:
    return Shape((dict,), fields, required=required, kind=kind)


def _list(items: Shape) -> Shape:
    return Shape((list,), items=items)


_OWNER = _obj({key: TEXT for key in ("name", "ownerName", "ownerEmail", "ownerID", "ownerType")})
_CRITERIA = _list(_obj({"type": TEXT, "column": TEXT, "condition": TEXT, "values": _list(TEXT)}))

SOURCE = _obj(
    {
        "name": TEXT,
        "description": TEXT,
        "tags": _list(TEXT),
        "sql": TEXT,
        "timestampColumn": TEXT,
        "timestampAsDay": FLAG,
        "idTypeMapping": _list(_obj({"statsigUnitID": TEXT, "column": TEXT})),
        "customFieldMapping": _list(_obj({"key": TEXT, "formula": TEXT})),
        "sourceType": TEXT,
        "tableName": TEXT,
        "datePartitionColumn": TEXT,
        "isReadOnly": FLAG,
        "isVerified": FLAG,
        "owner": _OWNER,
        "team": TEXT,
        "teamID": TEXT,
    },
    required=("name",),
    kind="source",
)

METRIC = _obj(
    {
        "id": TEXT,
        "name": TEXT,
        "type": TEXT,
        "description": TEXT,
        "isHidden": FLAG,
        "isReadOnly": FLAG,
        "directionality": TEXT,
        "tags": _list(TEXT),
        "unitTypes": _list(TEXT),
        "owner": _OWNER,
        "warehouseNative": _obj(
            {
                "aggregation": TEXT,
                "metricSourceName": TEXT,
                "numeratorAggregation": TEXT,
                "valueColumn": TEXT,
                "percentile": NUMBER,
                "criteria": _CRITERIA,
                "metricDimensionColumns": _list(TEXT),
                "denominatorMetricSourceName": TEXT,
                "denominatorAggregation": TEXT,
                "denominatorValueColumn": TEXT,
                "denominatorCriteria": _CRITERIA,
                "funnelEvents": _list(_obj({"metricSourceName": TEXT, "criteria": _CRITERIA})),
            }
        ),
    },
    kind="metric",
)

_METRIC_REFS = _list(_obj({"name": TEXT, "type": TEXT}, required=("name", "type")))

# ExternalExperimentDto: the fields `reload` reads to find the experiments that use a metric.
EXPERIMENT = _obj(
    {
        "id": TEXT,
        "name": TEXT,
        "status": TEXT,
        "primaryMetrics": _METRIC_REFS,
        "secondaryMetrics": _METRIC_REFS,
        "otherMetrics": _METRIC_REFS,
        "primaryMetricTags": _list(TEXT),
        "secondaryMetricTags": _list(TEXT),
    },
    required=("id",),
    kind="experiment",
)

# PulseLoadHistoryDto: one result load of an experiment; `finishedState` is absent while it runs.
PULSE_LOAD = _obj(
    {
        "createdTime": NUMBER,
        "finishedTime": NUMBER,
        "finishedState": TEXT,
        "reloadType": TEXT,
        "startDs": TEXT,
        "endDs": TEXT,
        "creatorName": TEXT,
        "turboMode": FLAG,
    },
    required=("createdTime",),
    kind="pulse_load",
)

MESSAGE = _obj({"message": TEXT})

PAGINATION = _obj({"nextPage": TEXT, "totalItems": NUMBER, "itemsPerPage": NUMBER, "pageNumber": NUMBER})

_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number"}


def describe(value: Any) -> str:
    if value is None:
        return "null"
    return _NAMES.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def problem(value: Any, shape: Shape, path: str) -> str | None:
    """Where `value` departs from `shape` (`data[2].tags is a string, not a list`), or None."""
    stack = [(value, shape, path)]
    while stack:
        current, expected, where = stack.pop()
        if not _is(current, expected.types):
            wanted = " or ".join(dict.fromkeys(_NAMES.get(t, t.__name__) for t in expected.types))
            return f"{where} is {describe(current)}, not {wanted}"
        if isinstance(current, dict):
            for key in expected.required:
                if current.get(key) is None or current.get(key) == "":
                    return f"{where}.{key} is missing"
            present = [(key, inner) for key, inner in expected.fields.items() if current.get(key) is not None]
            stack.extend((current[key], inner, f"{where}.{key}") for key, inner in reversed(present))
        elif isinstance(current, list) and expected.items is not None:
            items = expected.items
            stack.extend((current[i], items, f"{where}[{i}]") for i in reversed(range(len(current))))
    return None


def _is(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)
