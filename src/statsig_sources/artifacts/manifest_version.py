"""Which manifest versions the reader takes: the ones it is tested with, and a newer one (dbt v2's
previews wrote v20) when it holds every field this tool reads, with a one-line notice; an older one,
or a newer one lacking a field, is refused in one sentence naming the versions tested."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import UNSET

from statsig_sources.artifacts.fields import Node
from statsig_sources.support.errors import ManifestError

# dbt 1.6 writes v10, 1.7 v11, 1.8 to 1.12 v12, and dbt v2 v12 (its previews v20).
SUPPORTED_SCHEMA_VERSIONS = ("v10", "v11", "v12")
_SCHEMA_URL = "https://schemas.getdbt.com/dbt/manifest/"
# What the tool reads of every node and dbt source, and of a metric source besides.
NODE_FIELDS = ("unique_id", "name", "resource_type")
SOURCE_MODEL_FIELDS = ("original_file_path", "schema", "alias", "config")
_LISTED = 5  # missing fields named in the refusal; the rest are counted


def schema_version(metadata: Any, path: Path) -> tuple[str, bool]:
    """The manifest's version (`v12`) and whether it is newer than those tested."""
    url = metadata.get("dbt_schema_version") if isinstance(metadata, dict) else None
    if not isinstance(url, str) or not url.startswith(_SCHEMA_URL):
        raise ManifestError(f"{path} is not a dbt manifest: metadata.dbt_schema_version is missing")
    version = url[len(_SCHEMA_URL) :].removesuffix(".json")
    if version in SUPPORTED_SCHEMA_VERSIONS:
        return version, False
    if _number(version) > _number(SUPPORTED_SCHEMA_VERSIONS[-1]):
        return version, True
    raise ManifestError(
        f"{path} is a dbt manifest {version}, which this tool does not read "
        f"(supported: {_tested()}; regenerate it with dbt 1.6 or later)"
    )


def check_newer(
    path: Path, version: str, nodes: Mapping[str, Any], sources: Mapping[str, Any], metric_sources: set[str]
) -> str:
    """The notice for a newer manifest that holds every field the tool reads of its nodes, dbt sources
    and metric sources (their unique ids); refused otherwise."""
    missing = _missing_fields(nodes, "nodes", metric_sources) + _missing_fields(sources, "sources", set())
    if missing:
        more = f" and {len(missing) - _LISTED} more" if len(missing) > _LISTED else ""
        named = ", ".join(missing[:_LISTED]) + more
        raise ManifestError(
            f"{path} is a dbt manifest {version}, newer than the versions this tool is tested with "
            f"({_tested()}), and lacks fields it reads: {named}; write it with a dbt that writes one of those"
        )
    return (
        f"Warning: {path} is a dbt manifest {version}, newer than the versions this tool is tested with "
        f"({_tested()}); read because it holds every field the tool uses."
    )


def _missing_fields(mapping: Mapping[str, Any], where: str, metric_sources: set[str]) -> list[str]:
    missing = []
    for unique_id, node in mapping.items():
        if not isinstance(node, Node):
            missing.append(f"{where}[{unique_id}]")
            continue
        wanted = NODE_FIELDS + (SOURCE_MODEL_FIELDS if unique_id in metric_sources else ())
        missing += [f"{where}[{unique_id}].{name}" for name in wanted if getattr(node, name) in (UNSET, None)]
    return missing


def _number(version: str) -> int:
    digits = version.removeprefix("v")
    return int(digits) if digits.isdigit() else -1


def _tested() -> str:
    return ", ".join(SUPPORTED_SCHEMA_VERSIONS)
