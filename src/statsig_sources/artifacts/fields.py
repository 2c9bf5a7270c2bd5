"""The fields of dbt's manifest.json, catalog.json and run_results.json this tool reads, decoded with
msgspec.

A large project's manifest is tens of megabytes, nearly all of it what this tool never reads (every
node's code, column docs, macros, the dependency maps), and its run results repeat every node's code.
msgspec decodes the fields named below into small typed shapes and skips the rest without building it,
in a fraction of `json.load`'s time. Every field is optional (`UNSET` when absent, so the reader can
tell a missing field from a null) and holds any value, so the readers stay as tolerant as they were
over `json.load`'s dicts.

What msgspec refuses, `json` decides: text JSON allows but msgspec does not (a lone surrogate, NaN, a
byte-order mark, UTF-16), an object where the shapes expect something else (a node that is not an
object), or nesting deeper than msgspec decodes. The document is then decoded with `json` as before
and put into the same shapes, so the readers see one kind of value, read the same answer, and every
error message is the one `json` gives.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

from statsig_sources.support.errors import ManifestError

Shape = TypeVar("Shape", bound=Struct)


class NodeConfig(Struct):
    enabled: Any = UNSET
    materialized: Any = UNSET
    grants: Any = UNSET
    contract: Any = UNSET
    meta: Any = UNSET


class DependsOn(Struct):
    nodes: Any = UNSET


class Node(Struct):
    """A manifest node or dbt source."""

    unique_id: Any = UNSET
    name: Any = UNSET
    resource_type: Any = UNSET
    original_file_path: Any = UNSET
    patch_path: Any = UNSET
    database: Any = UNSET
    schema: Any = UNSET
    alias: Any = UNSET
    identifier: Any = UNSET
    relation_name: Any = UNSET
    description: Any = UNSET
    compiled_code: Any = UNSET
    meta: Any = UNSET  # manifests before dbt 1.10 hold meta.statsig here
    config: NodeConfig | None | UnsetType = UNSET
    depends_on: DependsOn | None | UnsetType = UNSET
    columns: dict[str, Raw] | None | UnsetType = UNSET  # only the names are read


class ManifestFields(Struct):
    metadata: Any = UNSET
    nodes: dict[str, Node] | None | UnsetType = UNSET
    sources: dict[str, Node] | None | UnsetType = UNSET


class NodeName(Struct):
    """A node as the Semantic Layer import reads it: its name, for `ref()`, and its config (a generated
    model records there the unit var dbt resolved)."""

    name: Any = UNSET
    config: NodeConfig | None | UnsetType = UNSET


class SemanticLayerFields(Struct):
    """The Semantic Layer's part of a manifest: semantic models and metrics, read as plain values (the
    import checks each field it uses), and every node's name."""

    metadata: Any = UNSET
    semantic_models: Any = UNSET
    metrics: Any = UNSET
    nodes: dict[str, NodeName] | None | UnsetType = UNSET


class RunResult(Struct):
    unique_id: Any = UNSET
    status: Any = UNSET
    message: Any = UNSET


class RunResultsFields(Struct):
    metadata: Any = UNSET
    args: Any = UNSET
    results: list[RunResult] | None | UnsetType = UNSET


class CatalogColumn(Struct):
    name: Any = UNSET
    type: Any = UNSET


class CatalogEntry(Struct):
    columns: dict[str, CatalogColumn] | None | UnsetType = UNSET


class CatalogFields(Struct):
    metadata: Any = UNSET
    nodes: dict[str, CatalogEntry] | None | UnsetType = UNSET
    sources: dict[str, CatalogEntry] | None | UnsetType = UNSET


# shape -> its fields that hold another shape (`object`), a map of them (`map`) or a list (`list`), for
# `_shaped`.
_NESTED: dict[type[Struct], dict[str, tuple[str, type[Struct]]]] = {
    ManifestFields: {"nodes": ("map", Node), "sources": ("map", Node)},
    RunResultsFields: {"results": ("list", RunResult)},
    Node: {"config": ("object", NodeConfig), "depends_on": ("object", DependsOn)},
    CatalogFields: {"nodes": ("map", CatalogEntry), "sources": ("map", CatalogEntry)},
    CatalogEntry: {"columns": ("map", CatalogColumn)},
}
_DECODERS: dict[type[Struct], msgspec.json.Decoder[Any]] = {}


def read_fields(path: Path, what: str, shape: type[Shape], data: bytes | None = None) -> Shape | None:
    """The fields `shape` names, from the JSON document at `path` (a dbt `what`: manifest, catalog, run
    results), or from `data` when its bytes were read already; None when its top level is not an
    object."""
    if data is None:
        data = read_bytes(path, what)
    decoder = _DECODERS.get(shape)
    if decoder is None:
        decoder = _DECODERS[shape] = msgspec.json.Decoder(shape)
    try:
        fields: Shape = decoder.decode(data)
    except (msgspec.DecodeError, RecursionError):
        document = _json_document(data, path, what)
        return _shaped(shape, document) if isinstance(document, dict) else None
    return fields


def read_bytes(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ManifestError(f"cannot read {what} {path}: {error}") from None


def read_object(path: Path, what: str, shape: type[Shape], data: bytes | None = None) -> Shape:
    """`read_fields`, refusing a file whose top level is not an object."""
    fields = read_fields(path, what, shape, data)
    if fields is None:
        raise ManifestError(f"{path} is not a dbt {what}: its top level is not an object")
    return fields


def _json_document(data: bytes, path: Path, what: str) -> Any:
    """`data` decoded by `json`, or the error that says why it cannot be."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise ManifestError(f"cannot read {what} {path}: {error}") from None
    except RecursionError:
        raise ManifestError(
            f"cannot read {what} {path}: it nests arrays or objects deeper than this tool reads "
            f"(about {sys.getrecursionlimit():,} levels); dbt never writes such a file"
        ) from None
    return document


def _shaped(shape: type[Struct], value: Any) -> Any:
    """A value `json` decoded, in `shape` when it is an object; anything else stays as it is, for the
    reader to pass over as it passes over a value of the wrong kind."""
    if not isinstance(value, dict):
        return value
    nested = _NESTED.get(shape, {})
    known: dict[str, Any] = {}
    for name in shape.__struct_fields__:
        if name not in value:
            continue
        kind, inner = nested.get(name, ("any", shape))
        field = value[name]
        if kind == "object":
            field = _shaped(inner, field)
        elif kind == "map" and isinstance(field, dict):
            field = {key: _shaped(inner, item) for key, item in field.items()}
        elif kind == "list" and isinstance(field, list):
            field = [_shaped(inner, item) for item in field]
        known[name] = field
    return shape(**known)
