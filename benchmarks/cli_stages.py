"""Where `statsig-sources validate` spends its time on manifest_cli.py's large manifest, cold and warm.

    .venv/bin/python benchmarks/cli_stages.py [--nodes 10000] [--sources 1000] [--runs 5]

Runs `validate` in fresh processes that time each stage with a clock wrapped around the function that
does it (no profiler, so the seconds are the real ones), alternating a cold run (no SQL answers
remembered) with a warm one, and prints each stage's median beside a bare `json.load` of the file.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from manifest_cli import environment, generate

from statsig_sources.artifacts.paths import SQL_ANSWERS_FILE as CACHE_FILE

# Runs in the measured process: wraps each stage's function in a clock, then runs the CLI.
STAGED = """
import json, sys, time
started = time.perf_counter()
stages = {}

def clocked(module, name, stage):
    function = getattr(module, name)
    def timed(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - begin
    setattr(module, name, timed)

from statsig_sources import cli
from statsig_sources.artifacts import fields as artifact_fields
from statsig_sources import project
from statsig_sources.artifacts import read as artifacts_read
from statsig_sources.sql import reads as sql_reads
imported = time.perf_counter()
clocked(artifact_fields, "read_fields", "read and decode the manifest (msgspec)")
clocked(artifacts_read, "load_manifest", "load_manifest")
clocked(project, "build_project", "build the sources (declarations)")
clocked(sql_reads, "read_project_sql", "SQL: the answers (remembered or parsed)")
begin = time.perf_counter()
try:
    cli.main(["validate", "--project-dir", sys.argv[1]])
except SystemExit:
    pass
ended = time.perf_counter()
stages["python start, imports of the CLI"] = imported - started
stages["validate, in all"] = ended - begin
print(json.dumps(stages), file=sys.stderr)
"""
ORDER = (
    "python start, imports of the CLI",
    "validate, in all",
    "load_manifest",
    "read and decode the manifest (msgspec)",
    "build the sources (declarations)",
    "SQL: the answers (remembered or parsed)",
)


def staged_run(project: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", STAGED, str(project)], capture_output=True, text=True, env=env
    )
    stages: dict[str, float] = json.loads(done.stderr.strip().splitlines()[-1])
    return stages


def clock(statement: str, env: dict[str, str]) -> float:
    """Seconds `statement` takes in a fresh process."""
    script = f"import time\nstarted = time.perf_counter()\n{statement}\nprint(time.perf_counter() - started)"
    return float(
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env).stdout
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        manifest = project / "target" / "manifest.json"
        manifest.parent.mkdir()
        generate(manifest, args.nodes, args.sources)
        env = environment(project / "pycache")
        staged_run(project, env)  # compiles the bytecode
        runs: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
        loads, imports = [], []
        for _ in range(args.runs):
            (manifest.parent / CACHE_FILE).unlink(missing_ok=True)
            runs["cold"].append(staged_run(project, env))
            runs["warm"].append(staged_run(project, env))
            loads.append(clock(f"import json; json.load(open({str(manifest)!r}))", env))
            imports.append(clock("import statsig_sources.sql.parse", env))
    print(
        f"validate, {args.nodes} nodes, {args.sources} metric sources; medians of {args.runs} runs, seconds"
    )
    print(f"{'stage':<44}{'cold':>8}{'warm':>8}")
    for stage in ORDER:
        cells = "".join(
            f"{statistics.median(run.get(stage, 0.0) for run in runs[kind]):>8.3f}" for kind in runs
        )
        print(f"{stage:<44}{cells}")
    print(f"{'  of which, loading sqlglot (its own process)':<44}{statistics.median(imports):>8.3f}")
    print(f"{'json.load of the same file (the load alone)':<44}{statistics.median(loads):>8.3f}")


if __name__ == "__main__":
    main()
