"""Benchmark: the metadata queries the package sends the warehouse for one metric source.

    .venv/bin/python benchmarks/metadata_queries.py

On Snowflake or BigQuery each is a round trip of tenths of a second, per source, per run. Generates a
DuckDB project with a plain view and three metric sources over one upstream table (the timestamp's
type probed, declared with `timestamp_type`, and an expression), runs each dbt command once with dbt's
debug log in JSON, and counts, per model, the queries dbt logged between starting to compile it and
starting to build it: the package's own (a plain view sends none there). Targets: at most one per
source on `run` and `build`; none on `compile`, `docs generate`, `ls` and `parse`.

Per run, not per source, the package's hooks check that no governed view went missing
(macros/governed_views_check.sql): one query per governed schema on-run-start, and one more on-run-end
when the run replaced a relation. Target: at most two per governed schema (the project has one) on
`run` and `build`; none on the other commands, which run no hooks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"
PROJECT = """name: queries
version: "1.0.0"
config-version: 2
profile: queries
flags:
  send_anonymous_usage_stats: false
models:
  queries:
    +materialized: view
"""
PROFILES = """queries:
  target: prod
  outputs:
    prod:
      type: duckdb
      path: {path}
      schema: analytics
"""
SCHEMA_OVERRIDE = """{% macro generate_schema_name(custom_schema_name, node) %}
    {{ return(statsig_sources.statsig_schema_name(custom_schema_name, node)) }}
{% endmacro %}
"""
SOURCE = "{{ statsig_sources.statsig_source(ref('upstream')) }}\n"
MODELS = {
    "upstream": "{{ config(materialized='table') }}\nselect 'u1' as user_id, current_timestamp as event_at\n",
    "plain_view": "select user_id, event_at from {{ ref('upstream') }}\n",
    "source_probed": SOURCE,
    "source_declared": SOURCE,
    "source_expression": SOURCE,
}
DECLARATION = (
    "    config: {{meta: {{statsig: {{granularity: event_log, unit_ids: {{user_id: userID}}, {rest}}}}}}}"
)
DECLARED = {
    "source_probed": "timestamp: event_at",
    "source_declared": "timestamp: event_at, timestamp_type: offset_aware",
    "source_expression": 'timestamp: "event_at + interval 1 hour"',
}
LABELS = ("plain_view", "source_probed", "source_declared", "source_expression")
COMMANDS = (
    ("run",),
    ("build",),
    ("compile",),
    ("docs", "generate"),
    ("ls",),
    ("parse", "--no-partial-parse"),
)
TARGETS = {"run": 1, "build": 1}  # per source; any other command, and the plain view: 0
HOOKS = "hooks"  # the package's on-run-start and on-run-end hooks, counted together
HOOK_TARGETS = {"run": 2, "build": 2}  # per run and governed schema; any other command: 0


def generate(root: Path) -> Path:
    project = root / "project"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    (project / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (project / "profiles.yml").write_text(PROFILES.format(path=root / "queries.duckdb"), encoding="utf-8")
    (project / "packages.yml").write_text(f"packages:\n  - local: {REPO_ROOT}\n", encoding="utf-8")
    (project / "macros" / "generate_schema_name.sql").write_text(SCHEMA_OVERRIDE, encoding="utf-8")
    for name, body in MODELS.items():
        (project / "models" / f"{name}.sql").write_text(body, encoding="utf-8")
    properties = ["version: 2", "models:"]
    for name, rest in DECLARED.items():
        properties += [f"  - name: {name}", DECLARATION.format(rest=rest)]
    (project / "models" / "_sources.yml").write_text("\n".join(properties) + "\n", encoding="utf-8")
    _dbt(project, "deps")
    return project


def _dbt(project: Path, *args: str) -> list[dict[str, object]]:
    """Runs dbt and returns the events of its JSON debug log."""
    log_path = project / "logs"
    log = log_path / "dbt.log"
    log.unlink(missing_ok=True)
    common = ["--project-dir", str(project), "--profiles-dir", str(project), "--log-path", str(log_path)]
    logging = ["--log-format-file", "json", "--log-level-file", "debug"]
    subprocess.run([str(DBT), *args, *common, *logging], check=True, capture_output=True)
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]


def package_queries(events: list[dict[str, object]], builds: bool) -> Counter[str]:
    """Per model, the queries dbt logged for it: when the command builds models, only those between
    dbt starting to compile the model and starting to build it (the rest build it); and under HOOKS,
    those of the package's run hooks."""
    counts: Counter[str] = Counter()
    compiling: set[str] = set()
    for event in events:
        info, data = event["info"], event["data"]
        assert isinstance(info, dict) and isinstance(data, dict)
        node = str((data.get("node_info") or {}).get("unique_id", "")).rsplit(".", 1)[-1]
        if info["name"] == "SQLQuery" and node.startswith("statsig_sources-on-run-"):
            counts[HOOKS] += 1
        elif info["name"] == "NodeCompiling":
            compiling.add(node)
        elif info["name"] == "NodeExecuting":
            compiling.discard(node)
        elif info["name"] == "SQLQuery" and node in LABELS and (node in compiling or not builds):
            counts[node] += 1
    return counts


def measure() -> dict[str, Counter[str]]:
    """command -> model -> the package's metadata queries for it."""
    with tempfile.TemporaryDirectory() as directory:
        project = generate(Path(directory))
        _dbt(project, "run", "--select", "upstream")
        return {
            " ".join(command): package_queries(_dbt(project, *command), command[0] in TARGETS)
            for command in COMMANDS
        }


SOURCE_MODELS = ("source_probed", "source_declared", "source_expression")


def rows(counts: dict[str, Counter[str]]) -> list[tuple[str, str, str, bool]]:
    """(figure, measured, target, met) per command: each source's queries (probed, declared, an
    expression), then the plain view's."""
    found = []
    for command, per_model in counts.items():
        bound = TARGETS.get(command.split()[0], 0)
        sources = [per_model[model] for model in SOURCE_MODELS]
        measured = f"{', '.join(map(str, sources))}; {per_model['plain_view']}"
        met = max(sources) <= bound and per_model["plain_view"] == 0
        found.append((f"dbt {command.split(' --')[0]}", measured, f"<= {bound}; 0", met))
    for command, per_model in counts.items():
        bound = HOOK_TARGETS.get(command.split()[0], 0)
        hooks = per_model[HOOKS]
        found.append((f"dbt {command.split(' --')[0]} (hooks)", str(hooks), f"<= {bound}", hooks <= bound))
    return found


def report(counts: dict[str, Counter[str]]) -> list[str]:
    lines = [
        "Metadata queries the package sends, per model, from dbt's debug log on DuckDB: three metric "
        "sources (timestamp type probed, declared, an expression); a plain view (the control); then, per "
        "run, its hooks' check of the governed schema:"
    ]
    for figure, measured, target, met in rows(counts):
        lines.append(f"  {figure:<26} {measured:<10} target {target:<8} {'met' if met else 'MISSED'}")
    return lines


def main() -> None:
    print("\n".join(report(measure())))


if __name__ == "__main__":
    main()
