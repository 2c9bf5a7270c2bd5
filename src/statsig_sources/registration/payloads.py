"""Statsig metric source payloads, built purely from a validated project.

`build_payloads` returns exactly the dicts `render` writes to metric_sources/ and the registration
command sends, in the Statsig Console API's own field names (MetricSourceCreationContractDto).

The default `sourceType` is `query`: a `select` of exactly the canonical columns pins what Statsig
reads to the declared contract. A column added to the view later is not picked up silently, a column
that disappears fails Statsig's query loudly, and the shape is identical on every warehouse. `table`
sources (Statsig reads the relation by name) are supported for those who prefer them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statsig_sources.declaration.source import Declaration, canonical_columns, fold_case
from statsig_sources.project import MetricSource, Project, declared_sources
from statsig_sources.sql.dialects import dialect_for, quote_identifier
from statsig_sources.support.errors import InputError

if TYPE_CHECKING:
    from statsig_sources.registration.metric_payloads import MetricPayload

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


def check_encodable(payloads: Sequence[SourcePayload | MetricPayload], nothing: str) -> None:
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
