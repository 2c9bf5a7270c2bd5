"""Benchmark: what declaring metric sources through the package costs `dbt parse`.

    .venv/bin/python benchmarks/dbt_parse.py [--models 1000] [--repeat 3]

Generates two projects with the same number of models over one upstream model, both installing this
package by local path: in one every model is a metric source (`statsig_source(ref(...))` and a
config.meta.statsig declaration), in the other a plain `select ... from ref(...)` view with the same
YAML minus the declaration. Times `dbt parse --no-partial-parse` on each, alternating, and prints the
median of each and their ratio, with a third project of the plain views each calling an empty macro:
a model that calls any macro loses dbt's static parser, and that project shows what the Jinja rendering
alone costs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"

PROFILE = """bench:
  target: prod
  outputs:
    prod:
      type: duckdb
      path: {path}
      schema: analytics
"""
PROJECT = """name: bench_{kind}
version: "1.0.0"
config-version: 2
flags:
  send_anonymous_usage_stats: false
profile: bench
test-paths: []
models:
  bench_{kind}:
    +materialized: view
"""
BASE = "select 'u1' as user_id, current_timestamp as event_at, 1.0 as amount, 'US' as country\n"
PLAIN = "select user_id, event_at, amount, country from {{ ref('base_events') }}\n"
# The same SQL calling an empty macro: dbt's static parser cannot read it, so dbt renders it with Jinja,
# which is the cost any model calling any macro pays, whatever the macro does.
JINJA = PLAIN.rstrip("\n") + "{{ nothing() }}\n"
NOTHING = "{% macro nothing() %}{% endmacro %}\n"
SOURCE = "{{ statsig_sources.statsig_source(ref('base_events')) }}\n"
DECLARATION = """    config:
      meta:
        statsig:
          granularity: event_log
          unit_ids: {user_id: userID}
          timestamp: event_at
          value: amount
          dimensions: [country]
"""
BODIES = {"plain": PLAIN, "jinja": JINJA, "sources": SOURCE}


def generate(root: Path, kind: str, models: int) -> Path:
    project = root / kind
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    (project / "macros" / "nothing.sql").write_text(NOTHING, encoding="utf-8")
    (project / "dbt_project.yml").write_text(PROJECT.format(kind=kind), encoding="utf-8")
    (project / "profiles.yml").write_text(PROFILE.format(path=root / f"{kind}.duckdb"), encoding="utf-8")
    (project / "packages.yml").write_text(f"packages:\n  - local: {REPO_ROOT}\n", encoding="utf-8")
    (project / "models" / "base_events.sql").write_text(BASE, encoding="utf-8")
    properties = ["version: 2", "models:"]
    for index in range(models):
        name = f"{kind}_{index:05d}"
        (project / "models" / f"{name}.sql").write_text(
            SOURCE if kind == "sources" else PLAIN, encoding="utf-8"
        )
        properties.append(f"  - name: {name}\n    description: Model {index}.")
        if kind == "sources":
            properties.append(DECLARATION.rstrip("\n"))
    (project / "models" / "_models.yml").write_text("\n".join(properties) + "\n", encoding="utf-8")
    _dbt(project, "deps")
    return project


def _dbt(project: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(DBT), *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        projects = {kind: generate(root, kind, options.models) for kind in BODIES}
        timings: dict[str, list[float]] = {kind: [] for kind in projects}
        for _ in range(options.repeat):
            for kind, project in projects.items():
                timings[kind].append(_dbt(project, "parse", "--no-partial-parse"))
    plain, jinja, sources = (statistics.median(timings[kind]) for kind in BODIES)
    print(f"dbt parse --no-partial-parse, {options.models} models, median of {options.repeat}:")
    print(f"  plain select ... from ref() views (static parser)  {plain:7.2f} s  1.00x")
    print(f"  the same views calling an empty macro (Jinja)     {jinja:7.2f} s  {jinja / plain:.2f}x")
    print(f"  statsig_source() metric sources                   {sources:7.2f} s  {sources / plain:.2f}x")
    print(
        f"  metric sources against the no-op Jinja views      {sources / jinja:.2f}x (the package's own cost)"
    )


if __name__ == "__main__":
    main()
