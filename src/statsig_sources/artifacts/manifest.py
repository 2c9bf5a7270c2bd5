"""A narrow, tolerant reader of dbt's manifest.json (and catalog.json beside it).

Only the fields this tool uses are read (fields.py decodes just those); unknown keys are
ignored, and a field that is missing or of another kind reads as absent. Full objects are built only
for metric sources (nodes carrying `meta.statsig`), and every other node contributes one small
`Relation`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msgspec import UNSET

from statsig_sources.artifacts.catalog import load_catalog
from statsig_sources.artifacts.fields import DependsOn, ManifestFields, Node, NodeConfig, read_object
from statsig_sources.artifacts.lineage import is_transparent
from statsig_sources.artifacts.manifest_version import check_newer, schema_version
from statsig_sources.artifacts.paths import ArtifactPaths, Contents
from statsig_sources.artifacts.relations import TableRef
from statsig_sources.support.errors import ManifestError

RELATION_RESOURCE_TYPES = frozenset({"model", "seed", "snapshot", "source"})


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation dbt manages: a node or source that exists in the warehouse."""

    unique_id: str
    resource_type: str
    ref: TableRef
    original_file_path: str


@dataclass(frozen=True)
class SourceModel:
    """A dbt node whose config carries `meta.statsig`, with the fields the rules read."""

    unique_id: str
    name: str
    resource_type: str
    original_file_path: str
    patch_path: str | None
    relation: TableRef
    relation_name: str | None
    materialized: str | None
    grants: Mapping[str, tuple[str, ...]]
    contract_enforced: bool
    description: str
    compiled_code: str | None
    depends_on: tuple[str, ...]
    columns: tuple[str, ...]
    declaration: Any  # the raw `meta.statsig` value, checked by the declaration rule
    meta: Mapping[
        str, Any
    ]  # the model's config.meta, where the package records its settings (declaration/settings.py)

    @property
    def files(self) -> tuple[str, ...]:
        """The model's SQL file and, when known, the YAML file that documents it."""
        patch = self.patch_path.split("://", 1)[-1] if self.patch_path else None
        return (self.original_file_path, patch) if patch else (self.original_file_path,)


@dataclass(frozen=True)
class Manifest:
    schema_version: str
    adapter_type: str
    project_name: str
    sources: tuple[SourceModel, ...]
    relations: Mapping[str, Relation]  # unique_id -> relation, for nodes and dbt sources
    catalog: Mapping[str, Mapping[str, str]] | None  # unique_id -> column name -> type
    # metadata: which dbt invocation wrote the manifest, and when (ISO 8601); "" when not recorded
    invocation_id: str = ""
    generated_at: str = ""
    catalog_generated_at: str = ""
    # unique_id -> its `depends_on.nodes`, for every enabled node (models, seeds, snapshots, tests, ...)
    node_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the enabled nodes that store no data (views, ephemeral models): a rebuild upstream reaches through
    transparent_nodes: frozenset[str] = frozenset()
    # One line each for the user about how the manifest was read (a newer version than those tested).
    notices: tuple[str, ...] = ()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector.

    Decoding a manifest creates millions of containers and no reference cycles; left running, the
    collector walks them over and over, and reading a large manifest takes about twice as long.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_manifest(path: Path, catalog_path: Path | None = None, contents: Contents | None = None) -> Manifest:
    """Read the manifest at `path` and, when there is one, the catalog at `catalog_path` (by default
    beside the manifest); from `contents` when their bytes were read already."""
    catalog = catalog_path if catalog_path is not None else ArtifactPaths.beside(path).catalog
    with _collector_paused():
        return _load_manifest(path, catalog, contents)


def _load_manifest(path: Path, catalog_path: Path, contents: Contents | None) -> Manifest:
    fields = read_object(path, "manifest", ManifestFields, contents.get(path) if contents else None)
    version, newer = schema_version(fields.metadata, path)
    metadata = fields.metadata
    nodes, sources = fields.nodes, fields.sources
    if not isinstance(nodes, dict) or not isinstance(sources, dict):
        raise ManifestError(f"{path} is not a dbt manifest: it has no `nodes` or `sources` map")
    index = _index(nodes, sources)
    source_models = index.sources
    notices: tuple[str, ...] = ()
    if newer:
        notices = (check_newer(path, version, nodes, sources, {model.unique_id for model in source_models}),)
    catalog, catalog_generated_at = _catalog(catalog_path, contents)
    return Manifest(
        schema_version=version,
        adapter_type=str(metadata.get("adapter_type") or ""),
        project_name=str(metadata.get("project_name") or ""),
        sources=tuple(source_models),
        relations=index.relations,
        catalog=catalog,
        invocation_id=str(metadata.get("invocation_id") or ""),
        generated_at=str(metadata.get("generated_at") or ""),
        catalog_generated_at=catalog_generated_at,
        node_dependencies=index.dependencies,
        transparent_nodes=frozenset(index.transparent),
        notices=notices,
    )


def _catalog(path: Path, contents: Contents | None) -> tuple[dict[str, dict[str, str]] | None, str]:
    if contents is not None:
        data = contents.get(path)
        return load_catalog(path, data) if data is not None else (None, "")
    return load_catalog(path) if path.is_file() else (None, "")


_NO_CONFIG = NodeConfig()


def _config(node: Node) -> NodeConfig:
    return node.config if isinstance(node.config, NodeConfig) else _NO_CONFIG


def statsig_meta(node: Node) -> Any:
    """`config.meta.statsig` (dbt >= 1.10), else the older top-level `meta.statsig`; None when absent."""
    for holder in (_config(node), node):
        meta = holder.meta
        if isinstance(meta, dict) and "statsig" in meta:
            return meta["statsig"]
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _str(value: Any) -> str:
    """A field as text, "" when absent."""
    return "" if value is UNSET else str(value)


def _source_model(node: Node, declaration: Any) -> SourceModel:
    config = _config(node)
    description = node.description
    contract = config.contract
    dependency_ids = node.depends_on.nodes if isinstance(node.depends_on, DependsOn) else None
    columns = node.columns
    return SourceModel(
        unique_id=_str(node.unique_id),
        name=_str(node.name),
        resource_type=_str(node.resource_type),
        original_file_path=_str(node.original_file_path),
        patch_path=_text(node.patch_path),
        relation=_relation_ref(node, node.alias),
        relation_name=_text(node.relation_name),
        materialized=_text(config.materialized),
        grants=_grants(config.grants),
        contract_enforced=isinstance(contract, dict) and contract.get("enforced") is True,
        description=description if isinstance(description, str) else "",
        compiled_code=_text(node.compiled_code),
        depends_on=tuple(str(n) for n in dependency_ids) if isinstance(dependency_ids, list) else (),
        columns=tuple(str(name) for name in columns) if isinstance(columns, dict) else (),
        declaration=declaration,
        meta=config.meta if isinstance(config.meta, dict) else {},
    )


def _grants(value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        return {}
    grants = {}
    for privilege, grantees in value.items():
        if isinstance(grantees, str):
            grantees = [grantees]
        if isinstance(grantees, list):
            grants[str(privilege).lower()] = tuple(str(grantee) for grantee in grantees)
    return grants


def _relation_ref(node: Node, name: Any) -> TableRef:
    """The relation named `name` (a node's alias, a dbt source's identifier), else the node's name."""
    return TableRef(_text(node.database), _text(node.schema), _text(name) or _str(node.name))


@dataclass
class _Index:
    """What one walk over the manifest's nodes finds: every later stage reads these, not the nodes."""

    sources: list[SourceModel] = field(default_factory=list)
    relations: dict[str, Relation] = field(default_factory=dict)
    dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    transparent: set[str] = field(default_factory=set)


def _index(nodes: Mapping[str, Any], sources: Mapping[str, Any]) -> _Index:
    """One pass over the nodes (each node's config read once), then dbt's sources: on a large manifest
    this walk is most of what reading costs after decoding."""
    index = _Index()
    for unique_id, node in nodes.items():
        if not isinstance(node, Node):
            continue
        config = _config(node)
        if config.enabled is False:
            continue
        _index_node(index, str(unique_id), node, config)
    for unique_id, node in sources.items():
        config = _config(node) if isinstance(node, Node) else _NO_CONFIG
        if not isinstance(node, Node) or config.enabled is False or config.materialized == "ephemeral":
            continue
        if node.resource_type in RELATION_RESOURCE_TYPES:
            ref = _relation_ref(node, node.identifier)
            path = _str(node.original_file_path)
            index.relations[unique_id] = Relation(unique_id, str(node.resource_type), ref, path)
    return index


def _index_node(index: _Index, unique_id: str, node: Node, config: NodeConfig) -> None:
    resource_type, materialized = _str(node.resource_type), _text(config.materialized)
    declaration = statsig_meta(node)
    if declaration is not None:
        index.sources.append(_source_model(node, declaration))
    if resource_type in RELATION_RESOURCE_TYPES and materialized != "ephemeral":
        ref = _relation_ref(node, node.alias)
        index.relations[unique_id] = Relation(unique_id, resource_type, ref, _str(node.original_file_path))
    parents = node.depends_on.nodes if isinstance(node.depends_on, DependsOn) else None
    if isinstance(parents, list):
        index.dependencies[unique_id] = tuple(str(parent) for parent in parents)
    if is_transparent(resource_type, materialized):
        index.transparent.add(unique_id)
