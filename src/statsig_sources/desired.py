"""The desired state for registration: rendered source payloads, one YAML mapping per file.

Files under `metric_sources/` hold each source in the Console API's own field names (what `render`
writes). This reader is deliberately small; the manifest-to-payload builder can replace it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from statsig_sources.errors import InputError

# MetricSourceCreationContractDto's properties, less `dryRun` (a request flag, not state).
PAYLOAD_FIELDS = frozenset(
    {
        "name",
        "description",
        "tags",
        "sql",
        "timestampColumn",
        "timestampAsDay",
        "idTypeMapping",
        "sourceType",
        "tableName",
        "datePartitionColumn",
        "customFieldMapping",
        "isReadOnly",
        "isVerified",
        "owner",
        "team",
        "teamID",
    }
)


def load_desired(path: Path) -> list[dict[str, Any]]:
    """Every `*.yml`/`*.yaml` file under `path`, in name order, as a source payload."""
    if not path.is_dir():
        raise InputError(f"The sources directory {path} does not exist (render writes it).")
    files = sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    sources, problems = [], []
    for file in files:
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{file}: not readable YAML ({exc.__class__.__name__})")
            continue
        problem = _problem(loaded)
        if problem:
            problems.append(f"{file}: {problem}")
        else:
            sources.append(_normalised(loaded))
    if problems:
        raise InputError("Invalid source files:\n" + "\n".join(f"  - {line}" for line in problems))
    return sources


def _problem(loaded: Any) -> str | None:
    if not isinstance(loaded, dict):
        return "expected one mapping of Statsig source fields"
    if not isinstance(loaded.get("name"), str) or not loaded["name"]:
        return "`name` is required and must be a string"
    unknown = sorted(set(map(str, loaded)) - PAYLOAD_FIELDS)
    if unknown:
        return "unknown field(s) " + ", ".join(unknown)
    return None


def _normalised(loaded: dict[str, Any]) -> dict[str, Any]:
    source = dict(loaded)
    if source.get("sourceType") == "table" and source.get("sql") is None:
        source["sql"] = ""  # the API requires `sql`; table sources send "" (STATSIG_API.md)
    owner = source.get("owner")
    if isinstance(owner, str):
        # The declaration takes a name or an e-mail; the API wants an owner object.
        source["owner"] = {"ownerEmail": owner} if "@" in owner else {"ownerName": owner}
    return source


def read_project_name(project_dir: Path) -> str | None:
    """The dbt project's `name` from dbt_project.yml, or None when there is none."""
    try:
        loaded = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    name = loaded.get("name") if isinstance(loaded, dict) else None
    return str(name) if name else None
