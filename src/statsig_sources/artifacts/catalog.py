"""catalog.json beside the manifest: each relation's column names and types, as `dbt docs generate` read
them from the warehouse, and when it was written (a catalog older than the build is stale)."""

from __future__ import annotations

from pathlib import Path

from msgspec import UNSET

from statsig_sources.artifacts.fields import CatalogColumn, CatalogEntry, CatalogFields, read_object
from statsig_sources.support.errors import ManifestError


def load_catalog(path: Path, data: bytes | None = None) -> tuple[dict[str, dict[str, str]], str]:
    """catalog.json's column names and types per node and source (written by `dbt docs generate`), and
    when it was generated ("" when not recorded)."""
    fields = read_object(path, "catalog", CatalogFields, data)
    metadata = fields.metadata
    generated_at = str(metadata.get("generated_at") or "") if isinstance(metadata, dict) else ""
    columns: dict[str, dict[str, str]] = {}
    for section, entries in (("nodes", fields.nodes), ("sources", fields.sources)):
        if not isinstance(entries, dict):
            raise ManifestError(f"{path} is not a dbt catalog: it has no `{section}` map")
        for unique_id, entry in entries.items():
            found = entry.columns if isinstance(entry, CatalogEntry) else None
            if isinstance(found, dict):
                columns[unique_id] = {
                    (key if c.name is UNSET else str(c.name)): "" if c.type is UNSET else str(c.type)
                    for key, c in found.items()
                    if isinstance(c, CatalogColumn)
                }
    return columns, generated_at
