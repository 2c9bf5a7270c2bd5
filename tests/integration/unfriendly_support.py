"""The unfriendly consumer (tests/fixtures/unfriendly_project), copied, installed and changed the way
its team would change it: the fix an error names, a declaration edited in a pull request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from dbt_harness import DbtProject, copy_consumer_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "unfriendly_project"
SOURCES = Path("models") / "statsig" / "_statsig.yml"
# The fix the materialization error names: metric sources are views, whatever the project's default.
VIEW_FOLDER = "    statsig:\n      +materialized: view\n"


def unfriendly_project(workdir: Path, package_root: Path, *, views: bool) -> DbtProject:
    """A copy with the package installed; `views` applies the folder fix to dbt_project.yml."""
    project_dir = copy_consumer_project(FIXTURE, workdir / "project", package_root)
    if views:
        with (project_dir / "dbt_project.yml").open("a", encoding="utf-8") as handle:
            handle.write(VIEW_FOLDER)
    project = DbtProject(project_dir, {"STATSIG_UNFRIENDLY_DUCKDB": str(workdir / "unfriendly.duckdb")})
    deps = project.invoke("deps")
    assert deps.success, deps.exception
    return project


def edit_source(project: DbtProject, model: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change one metric source's YAML entry (its declaration and documented columns)."""
    path = project.project_dir / SOURCES
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    [entry] = [entry for entry in document["models"] if entry["name"] == model]
    change(entry)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def drop_measure(name: str) -> Callable[[dict[str, Any]], None]:
    """Remove a measure from the declaration and its column from the documented ones."""

    def change(entry: dict[str, Any]) -> None:
        entry["config"]["meta"]["statsig"]["measures"].pop(name)
        if not entry["config"]["meta"]["statsig"]["measures"]:
            entry["config"]["meta"]["statsig"].pop("measures")
        entry["columns"] = [column for column in entry["columns"] if column["name"] != name]

    return change


def failure_message(result: Any) -> str:
    """A node's dbt message without the macro call stack dbt appends."""
    return str(result.message).split("> in macro")[0].rstrip()
