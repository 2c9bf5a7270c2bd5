"""The metric-source kind: its payloads, built purely from a validated project, and its normal form
against what Statsig holds (registration/kinds.py lists each kind).

`build_payloads` returns exactly the dicts `render` writes to metric_sources/ and the registration
command sends, in the Statsig Console API's own field names (MetricSourceCreationContractDto).

The default `sourceType` is `query`: a `select` of exactly the canonical columns pins what Statsig
reads to the declared contract. A column added to the view later is not picked up silently, a column
that disappears fails Statsig's query loudly, and the shape is identical on every warehouse. `table`
sources (Statsig reads the relation by name) are supported for those who prefer them.

An update sends what Statsig holds merged with what is declared (merge.py), and a plan lists exactly
the fields of that body that differ from Statsig's, after normalising what Statsig fills in or
reorders (default values, tag and mapping order, owner details we did not send).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statsig_sources.declaration.source import Declaration, canonical_columns, fold_case
from statsig_sources.project import MetricSource, Project, declared_sources
from statsig_sources.registration.merge import SOURCE_FIELDS, merge, same_or_declared
from statsig_sources.registration.plan_items import FieldChange
from statsig_sources.sql.dialects import dialect_for, quote_identifier
from statsig_sources.statsig.remote_defaults import source_defaults
from statsig_sources.support.errors import InputError

if TYPE_CHECKING:
    from statsig_sources.registration.plan_items import Declared

# The order fields are written in; `render` writes them in exactly this order.
FIELD_ORDER = (
    "name",
    "description",
    "tags",
    "owner",
    "sourceType",
    "sql",
    "tableName",
    "timestampColumn",
    "timestampAsDay",
    "idTypeMapping",
    "customFieldMapping",
    "isReadOnly",
)


@dataclass(frozen=True)
class SourcePayload:
    """One source's payload and the model it comes from."""

    name: str
    node_id: str
    body: dict[str, Any]


def build_payloads(project: Project) -> list[SourcePayload]:
    """Payloads for every source whose declaration parsed, sorted by name. Validate first."""
    adapter = project.manifest.adapter_type
    dialect = dialect_for(adapter) if project.sources else ""
    payloads = [
        SourcePayload(source.name, source.model.unique_id, _body(source, declaration, project, dialect))
        for source, declaration in declared_sources(project)
    ]
    return sorted(payloads, key=lambda payload: payload.name)


def check_encodable(payloads: Sequence[Declared], nothing: str) -> None:
    """Every payload encodes as JSON text in UTF-8, or an input error naming each source or metric that
    does not, raised before the first one is sent or written (`nothing` says what was not done)."""
    problems = []
    for payload in payloads:
        try:
            json.dumps(payload.body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (UnicodeEncodeError, ValueError) as error:
            problems.append(f"{payload.name} ({payload.node_id}): {error}")
    if problems:
        raise InputError("Cannot encode the payload of " + "; ".join(problems) + f". {nothing}")


def _body(source: MetricSource, declaration: Declaration, project: Project, dialect: str) -> dict[str, Any]:
    adapter = project.manifest.adapter_type
    tags = [*declaration.tags, project.marker]
    body: dict[str, Any] = {
        "name": source.name,
        "description": declaration.description or source.model.description,
        "tags": sorted(set(tags)),
        "sourceType": declaration.source_type,
        "sql": _sql(source, declaration, adapter, dialect),
        "timestampColumn": fold_case("timestamp", adapter),
        "timestampAsDay": declaration.timestamp_as_day,
        "idTypeMapping": [
            {"statsigUnitID": unit.unit_type, "column": fold_case(unit.column, adapter)}
            for unit in declaration.unit_ids
        ],
        "isReadOnly": True,
    }
    if declaration.owner:
        owner_key = "ownerEmail" if "@" in declaration.owner else "ownerName"
        body["owner"] = {owner_key: declaration.owner}
    if declaration.source_type == "table":
        body["tableName"] = table_name(source, adapter)
    if declaration.custom_fields:
        body["customFieldMapping"] = [
            {"key": key, "formula": formula} for key, formula in declaration.custom_fields
        ]
    return {key: body[key] for key in FIELD_ORDER if key in body}


def _sql(source: MetricSource, declaration: Declaration, adapter: str, dialect: str) -> str:
    if declaration.source_type == "table":
        return ""  # the API requires `sql`; Statsig reads `tableName` instead
    if declaration.sql:
        return declaration.sql.strip() + "\n"
    columns = ",\n".join(
        f"  {quote_identifier(name, dialect)}" for name in canonical_columns(declaration, adapter)
    )
    relation = source.model.relation_name or table_name(source, adapter)
    return f"select\n{columns}\nfrom {relation}\n"


def table_name(source: MetricSource, adapter: str) -> str:
    """The governed relation, fully qualified and unquoted, as Statsig's `tableName` wants it."""
    relation = source.model.relation
    parts = (relation.database, relation.schema, relation.name)
    return ".".join(fold_case(part, adapter) if adapter == "snowflake" else part for part in parts if part)


# What Statsig holds for a field a payload left out: one documented table (statsig/remote_defaults.py).
REMOTE_DEFAULTS: Mapping[str, Any] = source_defaults()
NOT_COMPARED = frozenset({"name", "dryRun"})
# The fields a declaration manages: all a payload may hold but `owner`, which it sets only when
# declared (an owner set in Statsig's console is kept). One it leaves out is cleared to its default.
MANAGED = frozenset(FIELD_ORDER) - {"owner"}
CLEARED = {key: value for key, value in REMOTE_DEFAULTS.items() if key in MANAGED}


def diff(intended: Mapping[str, Any], remote: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Fields of `intended` whose normalised value differs from the remote's."""
    changes = []
    for key, wanted in intended.items():
        if key in NOT_COMPARED:
            continue
        current = remote.get(key, REMOTE_DEFAULTS.get(key))
        if _normal(key, wanted, wanted) != _normal(key, current, wanted):
            changes.append(FieldChange(key, current, wanted))
    return tuple(changes)


def merged_source(declared: Mapping[str, Any], remote: Mapping[str, Any]) -> dict[str, Any]:
    """The body of an update of `remote` to `declared` (merge.py); the name, which an update cannot
    change, is the path's, not the body's."""
    body = merge(declared, remote, fields=SOURCE_FIELDS, managed=MANAGED, spelled=_spelled, cleared=CLEARED)
    body.pop("name", None)
    return body


def _same(key: str, declared: Any, remote: Any) -> bool:
    return bool(_normal(key, declared, declared) == _normal(key, remote, declared))


_spelled = same_or_declared(_same)


def _normal(key: str, value: Any, wanted: Any) -> Any:
    if value is None:
        value = REMOTE_DEFAULTS.get(key)
    if key == "tags":
        return sorted({str(tag) for tag in value or ()})
    if key == "idTypeMapping":
        return sorted((str(m.get("statsigUnitID")), str(m.get("column"))) for m in value or ())
    if key == "customFieldMapping":
        return sorted((str(m.get("key")), str(m.get("formula"))) for m in value or () if m.get("key"))
    if key == "owner":
        # Statsig may add ownerID/ownerType/name: compare only the owner keys we set.
        keys = wanted.keys() if isinstance(wanted, Mapping) else ()
        return {k: (value or {}).get(k) for k in keys} if value is not None or keys else None
    if key in ("sql", "description") and isinstance(value, str):
        return value.strip()
    return value
