"""The `meta.statsig` declaration (docs/declaration.md), parsed into a frozen `Declaration`.

Parsing collects every problem instead of stopping at the first, so `validate` can list them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

GRANULARITIES = ("event_log", "daily_fact", "daily_aggregate")
SOURCE_TYPES = ("query", "table")
# How the timestamp expression is typed, when declared: the package then skips its type probe.
TIMESTAMP_TYPES = ("offset_aware", "naive", "date")
# How a source may be materialized: a view unless the declaration opts in to another (`materialized`).
MATERIALIZATIONS = ("view", "table", "incremental")
DEFAULT_MATERIALIZATION = "view"
BUILT_IN_UNIT_TYPES = ("userID", "stableID")
RESERVED_COLUMNS = ("timestamp", "value")
REQUIRED_KEYS = ("granularity", "unit_ids", "timestamp")
OPTIONAL_KEYS = (
    "source_name",
    "value",
    "measures",
    "dimensions",
    "filter",
    "description",
    "owner",
    "tags",
    "source_type",
    "sql",
    "custom_fields",
    "timestamp_type",
    "materialized",
)
_OUTPUT_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class UnitId:
    column: str
    unit_type: str


@dataclass(frozen=True)
class Declaration:
    granularity: str
    unit_ids: tuple[UnitId, ...]
    timestamp: str
    source_name: str | None = None
    value: str | None = None
    measures: tuple[str, ...] = ()  # output column names, in declared order
    dimensions: tuple[str, ...] = ()
    filter: str | None = None
    description: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    source_type: str = "query"
    sql: str | None = None
    custom_fields: tuple[tuple[str, str], ...] = ()  # (key, formula), in declared order
    timestamp_type: str | None = None
    materialized: str | None = None

    @property
    def timestamp_as_day(self) -> bool:
        return self.granularity != "event_log"


def canonical_columns(declaration: Declaration, adapter_type: str) -> tuple[str, ...]:
    """The view's output columns, in order: unit ids, timestamp, value, measures, dimensions."""
    names = [unit.column for unit in declaration.unit_ids] + ["timestamp"]
    names += ["value"] if declaration.value is not None else []
    names += [*declaration.measures, *declaration.dimensions]
    return tuple(fold_case(name, adapter_type) for name in names)


def fold_case(name: str, adapter_type: str) -> str:
    """Names as the warehouse reports them: upper case on Snowflake, lower case elsewhere."""
    return name.upper() if adapter_type == "snowflake" else name.lower()


def unencodable(value: Any) -> str | None:
    """Where a JSON value holds text UTF-8 cannot encode (a lone surrogate, which JSON's `\\ud800`
    decodes to), as `U+D800 at character 5`; None when all of it encodes. Iterative: a deeply nested
    value cannot exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                return f"U+{ord(item[error.start]):04X} at character {error.start + 1}"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def encoding_problem(what: str, value: Any) -> str | None:
    where = unencodable(value)
    return f"{what} holds text that cannot be encoded as UTF-8 ({where}, a lone surrogate)" if where else None


def materialization_problem(declared: str | None, resolved: str | None) -> str | None:
    """Why a source materialized as `resolved` (dbt's config, whatever set it) breaks its declaration,
    or None. dbt cannot read the YAML declaration while a model parses, so the package cannot pick the
    materialization itself: it refuses a mismatch instead. The package's macro
    `_statsig_materialization_problem` says the same, word for word (one table tests both)."""
    wanted = declared or DEFAULT_MATERIALIZATION
    if resolved is None or resolved == wanted:
        return None
    folder = f"set `+materialized: {wanted}` on the folder of metric-source models in dbt_project.yml"
    if resolved not in MATERIALIZATIONS:
        return f"is materialized '{resolved}', which is not one of {', '.join(MATERIALIZATIONS)}: {folder}"
    if declared is None:
        return (
            f"is materialized '{resolved}', but a metric source is a view unless its declaration opts "
            f"in: {folder}, or declare meta.statsig.materialized: {resolved}"
        )
    return (
        f"declares meta.statsig.materialized: {declared}, but is materialized '{resolved}': set "
        f"`materialized: {declared}` in its config, or change the declaration"
    )


def parse_declaration(raw: Any) -> tuple[Declaration | None, list[str]]:
    """The declaration, or None with the list of what is wrong with it."""
    if not isinstance(raw, dict):
        return None, [f"meta.statsig must be a mapping, not {_type_name(raw)}"]
    unreadable = [encoding_problem(f"meta.statsig.{key}", [key, value]) for key, value in raw.items()]
    if any(unreadable):
        return None, [problem for problem in unreadable if problem]
    problems = [f"meta.statsig is missing required key `{key}`" for key in REQUIRED_KEYS if key not in raw]
    known = set(REQUIRED_KEYS) | set(OPTIONAL_KEYS)
    problems += [f"meta.statsig has unknown key `{key}`" for key in raw if key not in known]
    # An optional key set to null (`sql: null`) is the same as an absent one.
    present = [key for key in known if key in raw and (raw[key] is not None or key in REQUIRED_KEYS)]
    values = {key: _check(key, raw[key], problems) for key in sorted(present)}
    if values.get("sql") is not None and values.get("source_type") == "table":
        problems.append("meta.statsig.sql is a query override and cannot be used with source_type table")
    if problems:
        return None, problems
    return Declaration(**{key: value for key, value in values.items() if value is not None}), []


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _string(key: str, value: Any, problems: list[str]) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    problems.append(f"meta.statsig.{key} must be a non-empty string, not {_type_name(value)}")
    return None


def _optional_string(key: str, value: Any, problems: list[str]) -> str | None:
    return None if value is None else _string(key, value, problems)


def _choice(choices: tuple[str, ...]) -> Callable[[str, Any, list[str]], str | None]:
    def check(key: str, value: Any, problems: list[str]) -> str | None:
        if value in choices:
            return str(value)
        problems.append(f"meta.statsig.{key} must be one of {', '.join(choices)}, not {value!r}")
        return None

    return check


def _string_list(key: str, value: Any, problems: list[str]) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
        return tuple(value)
    problems.append(f"meta.statsig.{key} must be a list of strings")
    return None


def _output_name(key: str, name: str, problems: list[str]) -> None:
    if not _OUTPUT_COLUMN.fullmatch(name):
        problems.append(f"meta.statsig.{key}: `{name}` is not a lower-case SQL identifier [a-z_][a-z0-9_]*")
    elif name in RESERVED_COLUMNS:
        problems.append(f"meta.statsig.{key}: `{name}` is reserved by the package")


def _unit_ids(key: str, value: Any, problems: list[str]) -> tuple[UnitId, ...] | None:
    if not isinstance(value, dict) or not value:
        problems.append(f"meta.statsig.{key} must be a mapping with at least one entry")
        return None
    units = []
    for column, target in value.items():
        _output_name(key, column, problems)
        unit_type = target.get("unit_type") if isinstance(target, dict) else target
        if isinstance(target, dict) and not set(target) <= {"unit_type", "expression"}:
            problems.append(f"meta.statsig.{key}.{column} may only have `unit_type` and `expression`")
        if not isinstance(unit_type, str) or not unit_type:
            problems.append(f"meta.statsig.{key}.{column} must name a unit type")
            continue
        units.append(UnitId(column, unit_type))
    return tuple(units)


def _measures(key: str, value: Any, problems: list[str]) -> tuple[str, ...] | None:
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        problems.append(f"meta.statsig.{key} must be a mapping of column name to expression")
        return None
    for name in value:
        _output_name(key, name, problems)
    return tuple(value)


def _custom_fields(key: str, value: Any, problems: list[str]) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        problems.append(f"meta.statsig.{key} must be a mapping of field name to formula")
        return None
    return tuple((str(name), formula) for name, formula in value.items())


_CHECKS: Mapping[str, Callable[[str, Any, list[str]], Any]] = {
    "source_name": _optional_string,
    "granularity": _choice(GRANULARITIES),
    "unit_ids": _unit_ids,
    "timestamp": _string,
    "value": _optional_string,
    "measures": _measures,
    "dimensions": _string_list,
    "filter": _optional_string,
    "description": _optional_string,
    "owner": _optional_string,
    "tags": _string_list,
    "source_type": _choice(SOURCE_TYPES),
    "sql": _optional_string,
    "custom_fields": _custom_fields,
    "timestamp_type": _choice(TIMESTAMP_TYPES),
    "materialized": _choice(MATERIALIZATIONS),
}


def _check(key: str, value: Any, problems: list[str]) -> Any:
    return _CHECKS[key](key, value, problems)
