"""Benchmark: what the package's build-time checks cost `dbt run`, against an earlier revision of the
package in the same run.

    .venv/bin/python benchmarks/dbt_run.py [--models 300] [--repeat 3] [--baseline REV]

When dbt builds a metric source, the package asks the warehouse about its upstream relation in one
metadata query (its columns, to check every declared one, and the timestamp's type) and compares its
materialization with the declaration. This generates the same DuckDB project three times
(benchmarks/dbt_parse.py's generator): metric sources installing this working tree, the same metric
sources installing the package at `--baseline` (default the commit before the checks, 60c94cc), and
plain views. Times `dbt run` on each, alternating, and prints the medians, their ratios (target: metric
sources at most 1.2x plain views) and what each arm ran: its first model as dbt built it.
"""

from __future__ import annotations

import argparse
import io
import json
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


TARGET = 1.2
BASELINE = "60c94cc"  # the package before its build-time checks


def what_ran(project: Path) -> str:
    """The first model of the project's last run: its relation, materialization and compiled SQL."""
    results = json.loads((project / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    nodes = json.loads((project / "target" / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    first = min(r["unique_id"] for r in results if not r["unique_id"].endswith("base_events"))
    node = nodes[first]
    sql = " ".join((node.get("compiled_code") or "").split())
    return f"{node['config']['materialized']} {node['schema']}.{node['name']}: {sql}"


def measure(models: int, repeat: int, baseline: str) -> tuple[dict[str, float], dict[str, str]]:
    """Each arm's median `dbt run` time, and what each arm ran."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        package = baseline_package(baseline, root / "baseline_package")
        projects = {
            "plain": generate(root / "plain", "plain", models),
            "baseline": install(generate(root / "baseline", "sources", models), package),
            "checked": generate(root / "checked", "sources", models),
        }
        timings: dict[str, list[float]] = {kind: [] for kind in projects}
        for _ in range(repeat):
            for kind, project in projects.items():
                timings[kind].append(_dbt(project, "run"))
        ran = {kind: what_ran(project) for kind, project in projects.items()}
    return {kind: statistics.median(values) for kind, values in timings.items()}, ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE)
    options = parser.parse_args()
    medians, ran = measure(options.models, options.repeat, options.baseline)
    plain, before, checked = medians["plain"], medians["baseline"], medians["checked"]
    verdict = "met" if checked / plain <= TARGET else "MISSED"
    print(f"dbt run, {options.models} models on DuckDB, median of {options.repeat}, alternating:")
    print(f"  plain select ... from ref() views              {plain:7.2f} s  1.00x")
    print(f"  metric sources, package at {options.baseline:<12}       {before:7.2f} s  {before / plain:.2f}x")
    print(f"  metric sources, this working tree             {checked:7.2f} s  {checked / plain:.2f}x")
    print(f"  metric sources / plain views: {checked / plain:.2f}x (target <= {TARGET}x: {verdict})")
    print(f"  this tree against the baseline                {checked / before:.2f}x (the checks' cost)")
    print("What each arm ran (its first model, as dbt built it):")
    for kind, text in ran.items():
        print(f"  {kind:<8} {text[:300]}")


if __name__ == "__main__":
    main()
