"""Benchmark: what declaring metric sources through the package costs `dbt parse`.

    .venv/bin/python benchmarks/dbt_parse.py [--models 1000] [--repeat 3] [--adapter postgres]

Generates four projects of the same number of models over one upstream model, each installing this
package by local path, that differ one step at a time:

    plain    `select ... from ref()` views, documented in YAML (dbt's static parser reads them)
    meta     the same, with each model's config.meta.statsig declaration in the YAML
    macro    the same, each body also calling an empty macro: dbt's static parser cannot read a body
             that calls a macro, so dbt renders it with Jinja (what any model calling any macro pays)
    sources  metric sources: `{{ statsig_sources.statsig_source(ref(...)) }}` and the declaration, with
             the generate_schema_name override docs/governance.md has a consumer add

Times `dbt parse --no-partial-parse` on each, alternating, and prints the median of each, each step's
ratio to the one before and the metric sources' ratio to the plain views (target: at most 1.3x). It
prints what each arm ran as dbt parsed it: the first model's raw code and config, read back from the
manifest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"
TARGET = 1.3

# `dbt parse` connects to no warehouse. PostgreSQL is the default: an adapter with grants, so the
# package's parse-time work includes setting them (DuckDB has none, and the package skips them there).
PROFILES = {
    "postgres": """bench:
  target: prod
  outputs:
    prod:
      type: postgres
      host: 127.0.0.1
      port: 5432
      user: postgres
      password: ""
      dbname: postgres
      schema: analytics
""",
    "duckdb": """bench:
  target: prod
  outputs:
    prod:
      type: duckdb
      path: {path}
      schema: analytics
""",
}
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
MACRO = PLAIN.rstrip("\n") + "{{ nothing() }}\n"
NOTHING = "{% macro nothing() %}{% endmacro %}\n"
# What docs/governance.md has a consumer add, so that metric sources land in the governed schema.
SCHEMA_OVERRIDE = """{% macro generate_schema_name(custom_schema_name, node) %}
    {{ return(statsig_sources.statsig_schema_name(custom_schema_name, node)) }}
{% endmacro %}
"""
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
# kind -> (model body, whether its YAML declares the model a metric source), in the order of the steps
ARMS = {
    "plain": (PLAIN, False),
    "meta": (PLAIN, True),
    "macro": (MACRO, True),
    "sources": (SOURCE, True),
}
LABELS = {
    "plain": "plain select ... from ref() views",
    "meta": "+ the meta.statsig declaration in YAML",
    "macro": "+ a call to an empty macro",
    "sources": "metric sources (statsig_source())",
}


def generate(root: Path, kind: str, models: int, adapter: str = "duckdb") -> Path:
    """A project of `models` models of the arm `kind` at root/kind, its package installed."""
    body, declared = ARMS[kind]
    project = root / kind
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    (project / "macros" / "nothing.sql").write_text(NOTHING, encoding="utf-8")
    if kind == "sources":
        (project / "macros" / "generate_schema_name.sql").write_text(SCHEMA_OVERRIDE, encoding="utf-8")
    (project / "dbt_project.yml").write_text(PROJECT.format(kind=kind), encoding="utf-8")
    profile = PROFILES[adapter].format(path=root / f"{kind}.duckdb")
    (project / "profiles.yml").write_text(profile, encoding="utf-8")
    (project / "packages.yml").write_text(f"packages:\n  - local: {REPO_ROOT}\n", encoding="utf-8")
    (project / "models" / "base_events.sql").write_text(BASE, encoding="utf-8")
    properties = ["version: 2", "models:"]
    for index in range(models):
        name = f"{kind}_{index:05d}"
        (project / "models" / f"{name}.sql").write_text(body, encoding="utf-8")
        properties.append(f"  - name: {name}\n    description: Model {index}.")
        if declared:
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


def what_ran(project: Path, kind: str) -> str:
    """The first model as dbt parsed it: its raw code, and the config keys the package or YAML set."""
    nodes = json.loads((project / "target" / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    node = nodes[f"model.bench_{kind}.{kind}_00000"]
    config = node["config"]
    meta = sorted(config.get("meta") or {})
    grants = config.get("grants") or {}
    return f"{node['raw_code'].strip()}  [config.meta keys: {meta or 'none'}; grants: {grants or 'none'}]"


def parse_times(models: int, repeat: int, adapter: str) -> tuple[dict[str, float], dict[str, str]]:
    """Each arm's median `dbt parse --no-partial-parse` time, and what each arm ran."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        projects = {kind: generate(root, kind, models, adapter) for kind in ARMS}
        timings: dict[str, list[float]] = {kind: [] for kind in projects}
        for _ in range(repeat):
            for kind, project in projects.items():
                timings[kind].append(_dbt(project, "parse", "--no-partial-parse"))
        ran = {kind: what_ran(project, kind) for kind, project in projects.items()}
    return {kind: statistics.median(values) for kind, values in timings.items()}, ran


def report(
    medians: dict[str, float], ran: dict[str, str], models: int, repeat: int, adapter: str
) -> list[str]:
    lines = [f"dbt parse --no-partial-parse, {models} models on {adapter}, median of {repeat}, alternating:"]
    previous = None
    for kind, seconds in medians.items():
        step = f"x{seconds / medians[previous]:.2f} on the step before" if previous else "baseline"
        lines.append(f"  {LABELS[kind]:<40} {seconds:7.2f} s  {seconds / medians['plain']:.2f}x  ({step})")
        previous = kind
    ratio = medians["sources"] / medians["plain"]
    verdict = "met" if ratio <= TARGET else "MISSED"
    lines.append(f"  metric sources / plain views: {ratio:.2f}x (target <= {TARGET}x: {verdict})")
    lines.append("What each arm ran (its first model, as the manifest records it):")
    lines += [f"  {kind:<8} {text}" for kind, text in ran.items()]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--adapter", choices=sorted(PROFILES), default="postgres")
    options = parser.parse_args()
    medians, ran = parse_times(options.models, options.repeat, options.adapter)
    print("\n".join(report(medians, ran, options.models, options.repeat, options.adapter)))


if __name__ == "__main__":
    main()
