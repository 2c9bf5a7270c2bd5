"""The `meta.statsig` declaration (docs/declaration.md), checked against the contract and parsed into a
frozen `Declaration`.

The checks walk `contract.json`'s description of the declaration, as the package's
`_statsig_declaration_problems` macro does, and word every problem with the contract's messages, so a
project that `validate` passes compiles, and one the macro refuses fails `validate` with the same
sentences. Parsing collects every problem instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from statsig_sources.declaration.checker import ROOT, DeclarationChecker, Problem
from statsig_sources.declaration.contract import contract, declaration_contract
from statsig_sources.declaration.metrics import MetricDeclaration, parse_metrics


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
    metrics: tuple[MetricDeclaration, ...] = ()  # code-declared Statsig metrics (docs/metrics.md)

    @property
    def timestamp_as_day(self) -> bool:
        """Statsig's `timestampAsDay`: every granularity but a raw event log is one row per day."""
        return self.granularity != "event_log"


def canonical_columns(declaration: Declaration, adapter_type: str) -> tuple[str, ...]:
    """The view's output columns, in order: unit ids, timestamp, value, measures, dimensions."""
    names = [unit.column for unit in declaration.unit_ids] + ["timestamp"]
    names += ["value"] if declaration.value is not None else []
    names += [*declaration.measures, *declaration.dimensions]
    return tuple(fold_case(name, adapter_type) for name in names)


def readable_columns(declaration: Declaration) -> tuple[str, ...]:
    """The columns a metric may read from the source, as a declaration names them (lower case): its
    canonical columns, then its custom fields (declaration/checker.py lists the same for the
    contract)."""
    return (*canonical_columns(declaration, ""), *(key for key, _ in declaration.custom_fields))


def fold_case(name: str, adapter_type: str) -> str:
    """Names as the warehouse reports them: upper case on Snowflake, lower case elsewhere."""
    return name.upper() if adapter_type == "snowflake" else name.lower()


def parse_declaration(
    raw: Any, *, model_name: str, custom_unit_types: Sequence[str] = ()
) -> tuple[Declaration | None, list[Problem]]:
    """The declaration, or None with every problem the contract finds in it.

    Text that UTF-8 cannot encode (a lone surrogate, which JSON's `\\ud800` decodes to) is refused
    first, by the CLI alone: no payload holding it could be sent to Statsig.
    """
    if isinstance(raw, Mapping):
        unreadable = [
            Problem("unencodable", f"{ROOT}.{key}", problem)
            for key, value in raw.items()
            if (problem := encoding_problem(f"{ROOT}.{key}", [key, value])) is not None
        ]
        if unreadable:
            return None, unreadable
    checker = DeclarationChecker(custom_unit_types)
    values = checker.check(raw, model_name)
    if checker.problems or values is None:
        return None, checker.problems
    return _declaration(values), []


def unencodable(value: Any) -> str | None:
    """Where a JSON value holds text UTF-8 cannot encode, as `U+D800 at character 5`; None when all of
    it encodes. Iterative: a deeply nested value cannot exhaust the stack."""
    try:  # almost every value encodes: msgspec says so at C speed, and the walk below finds where not
        msgspec.json.encode(value)
        return None
    except Exception:  # any refusal (a surrogate, too deep a value) means: walk it
        pass
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
    materialization itself: it refuses a mismatch instead. Worded from the contract, as the package's
    `_statsig_materialization_problem` words it (tests/materialization_table.py holds both to one table)."""
    spec = contract()["materialization"]
    allowed = declaration_contract()["keys"]["materialized"]["choices"]
    wanted = declared or spec["default"]
    if resolved is None or resolved == wanted:
        return None
    code = "not_allowed" if resolved not in allowed else "not_opted_in" if declared is None else "mismatch"
    fields = {
        "folder": spec["messages"]["folder"],
        "wanted": wanted,
        "resolved": resolved,
        "declared": str(declared),
        "allowed": ", ".join(allowed),
    }
    message: str = spec["messages"][code]
    for name, value in fields.items():
        message = message.replace("{" + name + "}", value)
    return message


def _declaration(values: Mapping[str, Any]) -> Declaration:
    units = []
    for column, target in values["unit_ids"].items():
        units.append(UnitId(column, target["unit_type"] if isinstance(target, Mapping) else target))
    return Declaration(
        granularity=values["granularity"],
        unit_ids=tuple(units),
        timestamp=values["timestamp"],
        source_name=values.get("source_name"),
        value=values.get("value"),
        measures=tuple(values.get("measures") or ()),
        dimensions=tuple(values.get("dimensions") or ()),
        filter=values.get("filter"),
        description=values.get("description"),
        owner=values.get("owner"),
        tags=tuple(values.get("tags") or ()),
        source_type=values.get("source_type", "query"),
        sql=values.get("sql"),
        custom_fields=tuple((str(k), v) for k, v in (values.get("custom_fields") or {}).items()),
        timestamp_type=values.get("timestamp_type"),
        materialized=values.get("materialized"),
        metrics=parse_metrics(values.get("metrics")),
    )
