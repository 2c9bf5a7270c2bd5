"""Time `statsig-sources validate` and `render` on a large generated manifest, beside a bare json.load.

Generates a dbt v12 manifest of 10,000 nodes (1,000 of them metric sources, with compiled SQL, a filter,
grants and documented columns; the rest models, seeds and tests shaped like dbt's) and the run results of
the `dbt build` that wrote it (every node built, so the build's status is checked), then times each
command as a fresh process, the median of several runs, against `python -c "import json; json.load(...)"`
on the same file in the same run. `cold` runs find no SQL answers remembered from an earlier run (the
cache beside the manifest is deleted before each); `warm` runs follow a run on the same manifest.
Targets: validate and render --check at most 1.0x json.load cold and 0.5x warm; --help under 0.3 s.

    .venv/bin/python benchmarks/manifest_cli.py [--nodes 10000] [--sources 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statsig_sources.artifacts.paths import REMEMBERED_REPORTS_FILE
from statsig_sources.artifacts.paths import SQL_ANSWERS_FILE as CACHE_FILE

BIN = Path(sys.executable).parent
# What the package's statsig_source() macro compiles to, in the shape of a real governed view.
GOVERNED_VIEW = """with source as (
    select * from "analytics"."marts"."{upstream}"
),

final as (
    select
        cast(user_id as text) as "user_id",
        cast(stable_id as text) as "stable_id",
        cast(event_at at time zone 'UTC' as timestamp) as "timestamp",
        cast(amount as double precision) as "value",
        cast(quantity as double precision) as "item_count",
        country as "country",
        platform as "platform"
    from source
    where {filter}
)

select "user_id", "stable_id", "timestamp", "value", "item_count", "country", "platform" from final
"""


def _config(materialized: str, schema: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "alias": None,
        "schema": schema,
        "database": None,
        "tags": [],
        "meta": {},
        "group": None,
        "materialized": materialized,
        "incremental_strategy": None,
        "batch_size": None,
        "lookback": 1,
        "begin": None,
        "persist_docs": {},
        "post-hook": [],
        "pre-hook": [],
        "quoting": {},
        "column_types": {},
        "full_refresh": None,
        "unique_key": None,
        "on_schema_change": "ignore",
        "on_configuration_change": "apply",
        "grants": {},
        "packages": [],
        "docs": {"show": True, "node_color": None},
        "contract": {"enforced": False, "alias_types": True},
        "event_time": None,
        "concurrent_batches": None,
        "access": "protected",
        **extra,
    }


def _node(kind: str, name: str, schema: str, code: str, columns: list[str], **extra: Any) -> dict[str, Any]:
    unique_id = f"{kind}.bench.{name}"
    return {
        "database": "analytics",
        "schema": schema,
        "name": name,
        "resource_type": kind,
        "package_name": "bench",
        "path": f"{name}.sql",
        "original_file_path": f"models/{name}.sql",
        "unique_id": unique_id,
        "fqn": ["bench", name],
        "alias": name,
        "checksum": {"name": "sha256", "checksum": "0" * 64},
        "config": _config("view"),
        "tags": [],
        "description": f"The {name} model, documented for the benchmark.",
        "columns": {
            c: {
                "name": c,
                "description": f"The {c} column.",
                "meta": {},
                "data_type": None,
                "constraints": [],
                "quote": None,
                "config": {"meta": {}, "tags": []},
                "tags": [],
                "granularity": None,
                "doc_blocks": [],
            }
            for c in columns
        },
        "meta": {},
        "group": None,
        "docs": {"show": True, "node_color": None},
        "patch_path": "bench://models/schema.yml",
        "build_path": None,
        "unrendered_config": {},
        "created_at": 1767225600.0,
        "relation_name": f'"analytics"."{schema}"."{name}"',
        "raw_code": code,
        "doc_blocks": [],
        "language": "sql",
        "refs": [],
        "sources": [],
        "metrics": [],
        "functions": [],
        "depends_on": {"macros": [], "nodes": []},
        "compiled_path": f"target/compiled/bench/models/{name}.sql",
        "compiled": True,
        "compiled_code": code,
        "extra_ctes_injected": True,
        "extra_ctes": [],
        "contract": {"enforced": False, "alias_types": True, "checksum": None},
        "access": "protected",
        "constraints": [],
        "version": None,
        "latest_version": None,
        "deprecation_date": None,
        **extra,
    }


def _metric_source(i: int) -> dict[str, Any]:
    upstream = f"fct_events_{i % 4000}"
    columns = ["user_id", "stable_id", "timestamp", "value", "item_count", "country", "platform"]
    # A filter of its own per source: no two pieces of SQL are the same text, so none is parsed once
    # for two sources.
    condition = f"status <> 'refunded' and amount > {i}"
    code = GOVERNED_VIEW.format(upstream=upstream, filter=condition)
    statsig = {
        "granularity": "event_log",
        "unit_ids": {"user_id": "userID", "stable_id": "stableID"},
        "timestamp": "event_at",
        "value": "amount",
        "measures": {"item_count": "quantity"},
        "dimensions": ["country", "platform"],
        "filter": condition,
        "tags": ["bench"],
    }
    node = _node(
        "model",
        f"statsig_source_{i}",
        "statsig_staging",
        code,
        columns,
        depends_on={"macros": [], "nodes": [f"model.bench.{upstream}"]},
    )
    node["config"] = _config(
        "view", "statsig_staging", grants={"select": ["statsig_reader"]}, meta={"statsig": statsig}
    )
    return node


def generate(path: Path, n_nodes: int, n_sources: int) -> None:
    nodes: dict[str, Any] = {}
    for i in range(n_sources):
        node = _metric_source(i)
        nodes[node["unique_id"]] = node
    for i in range(n_nodes - n_sources):
        kind = ("model", "model", "test", "test", "seed")[i % 5]
        name = f"fct_events_{i // 5 * 2 + (i % 5) % 2}" if kind == "model" else f"{kind}_{i}"
        code = f"select * from {{{{ ref('stg_{i}') }}}} where amount > 0 and status = 'ok'\n" * 3
        node = _node(
            kind, name, "marts" if kind != "test" else "marts_dbt_test__audit", code, ["user_id", "amount"]
        )
        nodes[node["unique_id"]] = node
    manifest = {
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
            "dbt_version": "1.10.4",
            "generated_at": "2026-01-01T00:00:00Z",
            "invocation_id": "bench",
            "env": {},
            "project_name": "bench",
            "project_id": "0" * 32,
            "user_id": None,
            "send_anonymous_usage_stats": False,
            "adapter_type": "postgres",
        },
        "nodes": nodes,
        "sources": {},
        "macros": {},
        "docs": {},
        "exposures": {},
        "metrics": {},
        "groups": {},
        "selectors": {},
        "disabled": {},
        "parent_map": {},
        "child_map": {},
        "group_map": {},
        "saved_queries": {},
        "semantic_models": {},
        "unit_tests": {},
    }
    path.write_text(json.dumps(manifest))
    (path.parent / "run_results.json").write_text(json.dumps(run_results(manifest)))


def run_results(manifest: dict[str, Any]) -> dict[str, Any]:
    """run_results.json as the `dbt build` that wrote the manifest writes it: every node built or tested,
    each result repeating the node's compiled code."""
    results = []
    for unique_id, node in manifest["nodes"].items():
        status = "pass" if node["resource_type"] == "test" else "success"
        timing = [
            {"name": step, "started_at": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:00:01Z"}
            for step in ("compile", "execute")
        ]
        results.append(
            {
                "status": status,
                "timing": timing,
                "thread_id": "Thread-1 (worker)",
                "execution_time": 0.05,
                "adapter_response": {"_message": "CREATE VIEW", "code": "CREATE VIEW", "rows_affected": -1},
                "message": "CREATE VIEW" if status == "success" else None,
                "failures": 0 if status == "pass" else None,
                "unique_id": unique_id,
                "compiled": True,
                "compiled_code": node["compiled_code"],
                "relation_name": node["relation_name"],
                "batch_results": None,
            }
        )
    metadata = {key: manifest["metadata"][key] for key in ("dbt_version", "generated_at", "invocation_id")}
    return {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json", **metadata},
        "results": results,
        "elapsed_time": 120.0,
        "args": {"which": "build", "invocation_command": "dbt build --target prod", "target": "prod"},
    }


@dataclass(frozen=True)
class Row:
    label: str
    command: Callable[[int], list[str]]  # run number -> the command line
    prepare: Callable[[], None] = lambda: None  # untimed, before each run


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def medians(rows: list[Row], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Round-robin over the commands, so that a noisy neighbour slows all of them alike."""
    times: dict[str, list[float]] = {row.label: [] for row in rows}
    for run in range(runs):
        for row in rows:
            row.prepare()
            times[row.label].append(timed(row.command(run), env))
    return {label: statistics.median(values) for label, values in times.items()}


def environment(pycache: Path) -> dict[str, str]:
    """Every process compiles its modules' bytecode once, into `pycache`, as an installed package has it
    (this environment may forbid writing bytecode beside the sources)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(pycache)}


def measure(n_nodes: int, n_sources: int, runs: int) -> tuple[dict[str, float], float]:
    """Median seconds per command (a fresh process each run), and the manifest's size in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        manifest = project / "target" / "manifest.json"
        manifest.parent.mkdir()
        generate(manifest, n_nodes, n_sources)
        cache = manifest.parent / CACHE_FILE
        env = environment(project / "pycache")
        cli = str(BIN / "statsig-sources")
        # Untimed: each command once, which also compiles the bytecode and renders the files to check.
        check = subprocess.run(
            [cli, "validate", "--project-dir", tmp], capture_output=True, text=True, env=env
        )
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
        render = [cli, "render", "--project-dir", tmp, "--output-dir", "out"]
        subprocess.run(render, check=True, capture_output=True, env=env)
        subprocess.run([cli, "--help"], check=True, capture_output=True, env=env)
        baseline = [sys.executable, "-c", f"import json; json.load(open({str(manifest)!r}))"]
        subprocess.run(baseline, check=True, env=env)
        reports = manifest.parent / REMEMBERED_REPORTS_FILE
        forget_reports = lambda: reports.unlink(missing_ok=True)  # noqa: E731

        def forget() -> None:  # nothing remembered: neither SQL answers nor reports
            cache.unlink(missing_ok=True)
            forget_reports()

        validate = [cli, "validate", "--project-dir", tmp]
        check_render = [cli, "render", "--check", "--project-dir", tmp, "--output-dir", "out"]
        rows = [
            Row("json.load (baseline)", lambda _: baseline),
            Row("validate, cold", lambda _: validate, forget),  # no SQL answers remembered
            Row("validate, warm", lambda _: validate),  # nothing changed since the run before
            # the SQL answers remembered, but not the report (the rules run on every source)
            Row("validate, SQL answers only", lambda _: validate, forget_reports),
            Row("render --check, cold", lambda _: check_render, forget),
            Row("render --check, warm", lambda _: check_render),
            # a new output directory each run: 1,000 files written
            Row(
                "render (writes all)",
                lambda run: [cli, "render", "--project-dir", tmp, "--output-dir", f"w{run}"],
            ),
            Row("--help", lambda _: [cli, "--help"]),
        ]
        return medians(rows, runs, env), manifest.stat().st_size / 1e6


# label -> the most it may take, as a multiple of the json.load baseline
TARGETS = {
    "validate, cold": 1.0,
    "validate, warm": 0.5,
    "render --check, cold": 1.0,
    "render --check, warm": 0.5,
}
HELP_SECONDS = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results, size = measure(args.nodes, args.sources, args.runs)
    print(
        f"manifest: {args.nodes} nodes, {args.sources} metric sources, {size:.1f} MB; "
        f"median of {args.runs} runs"
    )
    print(f"{'command':<22} {'seconds':>8} {'x json.load':>12} {'target':>8}")
    baseline = results["json.load (baseline)"]
    for label, seconds in results.items():
        target = f"<= {TARGETS[label]:.1f}x" if label in TARGETS else ""
        target = f"< {HELP_SECONDS} s" if label == "--help" else target
        print(f"{label:<22} {seconds:>8.3f} {seconds / baseline:>12.2f} {target:>8}")


if __name__ == "__main__":
    main()
