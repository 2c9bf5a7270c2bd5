"""Runs real dbt (dbtRunner, in process) on a copy of a fixture project, and reads what it built."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult


@dataclass
class DbtProject:
    """A dbt project on disk, with the environment its profile reads."""

    project_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    def invoke(self, *args: str) -> dbtRunnerResult:
        # A caller's own --log-path wins, so a build of the repository itself logs outside it.
        logs = [] if "--log-path" in args else ["--log-path", str(self.project_dir / "logs")]
        with _environment(self.env):
            return dbtRunner().invoke(
                [
                    *args,
                    "--project-dir",
                    str(self.project_dir),
                    "--profiles-dir",
                    str(self.project_dir),
                    *logs,
                ]
            )

    def results_by_node(self, result: dbtRunnerResult) -> dict[str, Any]:
        """Run results keyed by node name (tests by their full generated name)."""
        return {item.node.name: item for item in result.result.results}


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
