"""Runs real dbt (dbtRunner, in process) on a copy of a fixture project, and reads what it built."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt_common.events.base_types import EventMsg


@dataclass
class DbtProject:
    """A dbt project on disk, with the environment its profile reads."""

    project_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    def invoke(
        self, *args: str, callbacks: list[Callable[[EventMsg], None]] | None = None
    ) -> dbtRunnerResult:
        defaults = ["--project-dir", str(self.project_dir)]
        # A caller's own profiles directory or log path wins (the demo's keeps the repository clean).
        if "--profiles-dir" not in args:
            defaults += ["--profiles-dir", str(self.project_dir)]
        if "--log-path" not in args:
            defaults += ["--log-path", str(self.project_dir / "logs")]
        with _environment(self.env):
            return dbtRunner(callbacks=callbacks).invoke([*args, *defaults])

    def invoke_logged(self, *args: str) -> tuple[dbtRunnerResult, list[EventMsg]]:
        """`invoke`, with every event dbt logged (debug level included, whatever the flags say)."""
        events: list[EventMsg] = []
        return self.invoke(*args, callbacks=[events.append]), events

    def results_by_node(self, result: dbtRunnerResult) -> dict[str, Any]:
        """Run results keyed by node name (tests by their full generated name)."""
        return {item.node.name: item for item in result.result.results}


# The package's own dbt project: what a copy of its demo needs.
PACKAGE_DBT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds")


def copy_package_project(package_root: Path, destination: Path) -> Path:
    """Copies the package's own dbt files (its demo) to `destination`, a new directory."""
    destination.mkdir()
    for name in PACKAGE_DBT_FILES:
        source = package_root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, destination / name)
    return destination


def copy_consumer_project(source: Path, destination: Path, package_root: Path) -> Path:
    """Copies a fixture project and points its packages.yml at this repository by local path."""
    shutil.copytree(source, destination)
    (destination / "packages.yml").write_text(f"packages:\n  - local: {package_root}\n", encoding="utf-8")
    return destination


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
