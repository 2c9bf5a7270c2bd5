"""Benchmark: what the package's build-time checks cost `dbt run`, against an earlier revision of the
package in the same run.

    .venv/bin/python benchmarks/dbt_run.py [--models 300] [--repeat 3] [--baseline REV]

When dbt builds a metric source, the package reads its upstream relation's columns to check every
declared column (one metadata query per source) and compares its materialization with the declaration.
This generates the same DuckDB project three times (benchmarks/dbt_parse.py's generator): metric sources
installing this working tree, the same metric sources installing the package at `--baseline` (default
the commit before the checks, 60c94cc), and plain views. Times `dbt run` on each, alternating, and prints
the medians and their ratios.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import tarfile
import tempfile
from pathlib import Path

from dbt_parse import REPO_ROOT, _dbt, generate


def baseline_package(revision: str, destination: Path) -> Path:
    """The package's files at `revision`, unpacked from git."""
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", revision],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def install(project: Path, package: Path) -> Path:
    (project / "packages.yml").write_text(f"packages:\n  - local: {package}\n", encoding="utf-8")
    _dbt(project, "deps")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default="60c94cc")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        baseline = baseline_package(options.baseline, root / "baseline_package")
        projects = {
            "checked": generate(root / "checked", "sources", options.models),
            "baseline": install(generate(root / "baseline", "sources", options.models), baseline),
            "plain": generate(root / "plain", "plain", options.models),
        }
        timings: dict[str, list[float]] = {kind: [] for kind in projects}
        for _ in range(options.repeat):
            for kind, project in projects.items():
                timings[kind].append(_dbt(project, "run"))
    checked, before, plain = (statistics.median(timings[kind]) for kind in projects)
    print(f"dbt run, {options.models} models on DuckDB, median of {options.repeat}:")
    print(f"  plain select ... from ref() views              {plain:7.2f} s  1.00x")
    print(f"  metric sources, package at {options.baseline:<12}       {before:7.2f} s  {before / plain:.2f}x")
    print(f"  metric sources, this working tree             {checked:7.2f} s  {checked / plain:.2f}x")
    print(f"  this tree against the baseline                {checked / before:.2f}x (the checks' cost)")


if __name__ == "__main__":
    main()
