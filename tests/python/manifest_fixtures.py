"""The hand-written manifest fixtures: one valid project per file, one failure mode per invalid file.

A module of its own, not conftest.py: test modules import these names, and a `conftest` import would
resolve to whichever conftest pytest loaded last.

A fixture may come with the run_results.json of the dbt run that wrote it, in run_results/<stem>.json
(the build_status rule reads it); any other fixture is given the results of a build in which every node
succeeded, as `dbt build` writes them beside its manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "manifests"
VALID = sorted((FIXTURES / "valid").glob("*.json"))
INVALID = sorted((FIXTURES / "invalid").glob("*.json"))
RUN_RESULTS = FIXTURES / "run_results"
RUN_RESULTS_URL = "https://schemas.getdbt.com/dbt/run-results/v6.json"


def read_fixture(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / relative).read_text())
    return data


def fixture_run_results(manifest: Path) -> Path | None:
    """The run results recorded for a fixture manifest, if it has its own."""
    path = RUN_RESULTS / manifest.name
    return path if path.is_file() else None


def run_results_document(
    manifest: dict[str, Any],
    statuses: dict[str, str] | None = None,
    *,
    which: str = "build",
    invocation_id: str | None = None,
    generated_at: str = "2026-05-20T10:00:05.000000Z",
    command: str | None = None,
    target: str | None = None,
) -> dict[str, Any]:
    """run_results.json as `dbt <which>` writes it; by default every node of `manifest` succeeded in
    the invocation that wrote it."""
    if statuses is None:
        statuses = {node_id: "success" for node_id in manifest["nodes"]}
    args: dict[str, Any] = {"which": which, "invocation_command": command or f"dbt {which}"}
    if target is not None:
        args["target"] = target
    return {
        "metadata": {
            "dbt_schema_version": RUN_RESULTS_URL,
            "generated_at": generated_at,
            "invocation_id": invocation_id or manifest["metadata"].get("invocation_id", ""),
        },
        "results": [
            {"unique_id": node_id, "status": status, "message": None} for node_id, status in statuses.items()
        ],
        "args": args,
    }


def write_run_results(directory: Path, manifest: Path) -> Path:
    """Beside a copied fixture manifest: its own recorded results, or a build where all succeeded."""
    own = fixture_run_results(manifest)
    data = json.loads(own.read_text()) if own else run_results_document(json.loads(manifest.read_text()))
    path = directory / "run_results.json"
    path.write_text(json.dumps(data, indent=1))
    return path
