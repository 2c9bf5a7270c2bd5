"""The shape of what Statsig answers, checked once at the client's boundary, as msgspec models.

Only the fields this tool reads are modelled, with the JSON types Statsig's OpenAPI document gives them
(`MetricSourceContractDto`, `ExternalMetricDefinitionContractDto`, `ExternalExperimentDto`,
`PulseLoadHistoryDto`, `PaginationResponseMetadataDto`); null stands for an absent optional field, and
unknown fields are ignored. An answer of another shape (`data: ["x"]`, `idTypeMapping: "x"`) is a remote
error naming the endpoint and the offending path (`problem`), never an AttributeError deep inside the
plan. The answers themselves stay the decoded JSON objects (every field kept): the models only check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

Name = Annotated[str, Meta(min_length=1)]  # a required field: present, not null, not empty


class _Owner(Struct):
    name: str | None = None
    ownerName: str | None = None
    ownerEmail: str | None = None
    ownerID: str | None = None
    ownerType: str | None = None


class _Criterion(Struct):
    type: str | None = None
    column: str | None = None
    condition: str | None = None
    values: list[str] | None = None


class _UnitMapping(Struct):
    statsigUnitID: str | None = None
    column: str | None = None


class _FieldMapping(Struct):
    key: str | None = None
    formula: str | None = None


class Source(Struct):
    """MetricSourceContractDto."""

    name: Name
    description: str | None = None
    tags: list[str] | None = None
    sql: str | None = None
    timestampColumn: str | None = None
    timestampAsDay: bool | None = None
    idTypeMapping: list[_UnitMapping] | None = None
    customFieldMapping: list[_FieldMapping] | None = None
    sourceType: str | None = None
    tableName: str | None = None
    datePartitionColumn: str | None = None
    isReadOnly: bool | None = None
    isVerified: bool | None = None
    owner: _Owner | None = None
    team: str | None = None
    teamID: str | None = None


class _FunnelEvent(Struct):
    metricSourceName: str | None = None
    criteria: list[_Criterion] | None = None


class WarehouseNative(Struct):
    aggregation: str | None = None
    metricSourceName: str | None = None
    numeratorAggregation: str | None = None
    valueColumn: str | None = None
    percentile: float | None = None
    criteria: list[_Criterion] | None = None
    metricDimensionColumns: list[str] | None = None
    denominatorMetricSourceName: str | None = None
    denominatorAggregation: str | None = None
    denominatorValueColumn: str | None = None
    denominatorCriteria: list[_Criterion] | None = None
    funnelEvents: list[_FunnelEvent] | None = None


class Metric(Struct):
    """ExternalMetricDefinitionContractDto."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    description: str | None = None
    isHidden: bool | None = None
    isReadOnly: bool | None = None
    directionality: str | None = None
    tags: list[str] | None = None
    unitTypes: list[str] | None = None
    owner: _Owner | None = None
    warehouseNative: WarehouseNative | None = None


class _MetricRef(Struct):
    name: Name
    type: Name


class Experiment(Struct):
    """ExternalExperimentDto: the fields `reload` reads to find the experiments that use a metric."""

    id: Name
    name: str | None = None
    status: str | None = None
    primaryMetrics: list[_MetricRef] | None = None
    secondaryMetrics: list[_MetricRef] | None = None
    otherMetrics: list[_MetricRef] | None = None
    primaryMetricTags: list[str] | None = None
    secondaryMetricTags: list[str] | None = None


class PulseLoad(Struct):
    """PulseLoadHistoryDto: one result load of an experiment; `finishedState` is absent while it runs."""

    createdTime: float
    finishedTime: float | None = None
    finishedState: str | None = None
    reloadType: str | None = None
    startDs: str | None = None
    endDs: str | None = None
    creatorName: str | None = None
    turboMode: bool | None = None


class Message(Struct):
    message: str | None = None


class Pagination(Struct):
    """PaginationResponseMetadataDto."""

    nextPage: str | None = None
    totalItems: float | None = None
    itemsPerPage: float | None = None
    pageNumber: float | None = None


@dataclass(frozen=True)
class Shape:
    """What an answer's object must be (`model`), and what it is (`kind`: `source`, `metric`, ...) in a
    client's log of reads."""

    model: type[Struct]
    kind: str = ""

    @property
    def fields(self) -> Mapping[str, Shape]:
        """The fields this tool reads, by their JSON names; an object field's own fields in turn."""
        return {
            field.encode_name: Shape(_struct_in(field.type)) for field in msgspec.structs.fields(self.model)
        }


class _Empty(Struct):
    """The shape of a field that is not an object: it has no fields."""


def _struct_in(annotation: Any) -> type[Struct]:
    """The model inside a field's type (`WarehouseNative | None`), or `_Empty` for a scalar or a list."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, Struct):
            return candidate
    return _Empty


SOURCE = Shape(Source, "source")
METRIC = Shape(Metric, "metric")
EXPERIMENT = Shape(Experiment, "experiment")
PULSE_LOAD = Shape(PulseLoad, "pulse_load")
MESSAGE = Shape(Message)
PAGINATION = Shape(Pagination)

_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number"}
# msgspec's names for JSON types, as messages name them.
_JSON_NAMES = {
    "object": "an object",
    "array": "a list",
    "str": "a string",
    "bool": "a boolean",
    "int": "a number",
    "float": "a number",
    "null": "null",
}
# A number field is "a number or float" in today's messages (the validator before msgspec named both of
# the Python types it took); kept word for word.
_WANTED = {**_JSON_NAMES, "float": "a number or float"}
_ERROR = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<where>[^`]*)`)?$", re.DOTALL)
_EXPECTED = re.compile(r"^Expected `(?P<wanted>[^`]+)`, got `(?P<got>[^`]+)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`$")


def describe(value: Any) -> str:
    if value is None:
        return "null"
    return _NAMES.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def problem(value: Any, shape: Shape, path: str, *, many: bool = False) -> str | None:
    """Where `value` (a list of such objects when `many`) departs from `shape`
    (`data[2].tags is a string, not a list`), or None."""
    try:
        msgspec.convert(value, list[shape.model] if many else shape.model)  # type: ignore[name-defined]
    except msgspec.ValidationError as error:
        return _sentence(str(error), path)
    return None


def _sentence(error: str, root: str) -> str:
    """msgspec's `Expected `array | null`, got `str` - at `$[0].tags`` as `data[0].tags is a string,
    not a list`; a required field missing, null or empty as `data[0].name is missing`."""
    parts = _ERROR.match(error)
    what, inner = (parts["what"], parts["where"] or "") if parts else (error, "")
    where = root + inner
    if missing := _MISSING.match(what):
        return f"{where}.{missing['field']} is missing"
    expected = _EXPECTED.match(what)
    if expected is None:  # a required text that is empty (`Expected `str` of length >= 1`)
        return f"{where} is missing"
    wanted = [_WANTED.get(name, name) for name in expected["wanted"].split(" | ") if name != "null"]
    got = _JSON_NAMES.get(expected["got"], expected["got"])
    if got == "null" and inner and not inner.endswith("]"):  # a required field (optional ones allow null)
        return f"{where} is missing"
    return f"{where} is {got}, not {' or '.join(dict.fromkeys(wanted))}"
