"""Every performance figure, side by side with its target, from one run on this machine (`make bench`).

    .venv/bin/python benchmarks/bench.py [--runs 5] [--models 1000] [--apply-sources 1000]

Runs the other benchmarks in turn (each also runs alone, with more options): the CLI on a large
manifest against a bare `json.load` of it (manifest_cli.py), `dbt parse` step by step (dbt_parse.py),
`dbt run` of metric sources against plain views (dbt_run.py), the metadata queries the package sends
per source (metadata_queries.py), registration against the stand-in's rate limit (registration.py),
`usage`'s requests (usage.py) and saved plans, `plan --out` and `apply --plan`, against the plan
(saved_plans.py). Timed figures are ratios to a baseline measured in the same run, so a
slower or busier machine moves both sides alike; the machine and its load are printed with them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dbt_parse  # noqa: E402
import dbt_run  # noqa: E402
import manifest_cli  # noqa: E402
import metadata_queries  # noqa: E402
import registration  # noqa: E402
import saved_plans  # noqa: E402
import usage  # noqa: E402

from statsig_sources.statsig.deadlines import WRITE_MARGIN  # noqa: E402

Row = tuple[str, str, str, bool | None]  # figure, measured, target, met (None: no target)


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
        ]
        model = names[0] if names else model
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        total_kb = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f", {total_kb / 2**20:.0f} GiB"
    return (
        f"{model}, {os.cpu_count()} logical cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def cli_rows(runs: int) -> tuple[str, list[Row], float]:
    seconds, size = manifest_cli.measure(10_000, 1_000, runs)
    baseline = seconds["json.load (baseline)"]
    rows: list[Row] = []
    for label, target in manifest_cli.TARGETS.items():
        ratio = seconds[label] / baseline
        rows.append((label, f"{ratio:.2f}x ({seconds[label]:.2f} s)", f"<= {target:.1f}x", ratio <= target))
    only_sql = seconds["validate, SQL answers only"]
    figure = f"{only_sql / baseline:.2f}x ({only_sql:.2f} s)"
    rows.append(("validate, SQL answers only (report not remembered)", figure, "(no target)", True))
    help_seconds = seconds["--help"]
    rows.append(("--help", f"{help_seconds:.2f} s", f"< {manifest_cli.HELP_SECONDS} s", help_seconds < 0.3))
    title = (
        f"CLI on a {size:.0f} MB manifest (10,000 nodes, 1,000 metric sources), fresh processes, median of "
        f"{runs}, x a bare json.load of it ({baseline:.2f} s)"
    )
    return title, rows, baseline


def parse_rows(models: int, repeat: int) -> tuple[str, list[Row]]:
    medians, ran = dbt_parse.parse_times(models, repeat, "postgres")
    plain, meta = medians["plain"], medians["meta"]
    rows: list[Row] = [
        (dbt_parse.LABELS[kind], f"{medians[kind] / plain:.2f}x", "", None) for kind in medians
    ]
    sources = medians["sources"]
    target = f"<= {dbt_parse.TARGET}x"
    rows.append(
        (
            "metric sources x plain views",
            f"{sources / plain:.2f}x",
            target,
            sources / plain <= dbt_parse.TARGET,
        )
    )
    rows.append(
        (
            "metric sources x plain views with the same YAML",
            f"{sources / meta:.2f}x",
            target,
            sources / meta <= dbt_parse.TARGET,
        )
    )
    rows += [(f"  {kind} ran", text, "", None) for kind, text in ran.items()]
    title = (
        f"dbt parse --no-partial-parse, {models} models on PostgreSQL, median of {repeat}, alternating, "
        f"x plain views ({plain:.1f} s)"
    )
    return title, rows


def run_rows(models: int, repeat: int) -> tuple[str, list[Row]]:
    medians, ran = dbt_run.measure(models, repeat, dbt_run.BASELINE)
    plain, checked = medians["plain"], medians["checked"]
    rows: list[Row] = [
        (
            "metric sources x plain views",
            f"{checked / plain:.2f}x",
            f"<= {dbt_run.TARGET}x",
            checked / plain <= dbt_run.TARGET,
        ),
        (
            f"metric sources, package at {dbt_run.BASELINE} x plain views",
            f"{medians['baseline'] / plain:.2f}x",
            "",
            None,
        ),
    ]
    rows += [(f"  {kind} ran", text[:110], "", None) for kind, text in ran.items()]
    title = (
        f"dbt run, {models} models on DuckDB, median of {repeat}, alternating, x plain views ({plain:.1f} s)"
    )
    return title, rows


def query_rows() -> tuple[str, list[Row]]:
    rows: list[Row] = list(metadata_queries.rows(metadata_queries.measure()))
    title = (
        "metadata queries the package sends, from dbt's debug log on DuckDB: per metric source (its "
        "timestamp type probed, declared, an expression); a plain view; per run, the hooks' check of the "
        "governed schema"
    )
    return title, rows


def registration_rows(apply_sources: int) -> tuple[str, list[Row]]:
    listing = registration.arguments([])
    desired = registration.desired_sources(listing.sources)
    plan = registration.bench_plan(listing, desired)
    noop = registration.bench_noop(listing, desired)
    creating = registration.arguments(["--sources", str(apply_sources)])
    apply = registration.bench_apply(creating, registration.desired_sources(apply_sources))
    ratio = apply["seconds"] / apply["floor"]
    rows: list[Row] = [
        (
            f"plan, {listing.sources} sources: requests",
            str(plan["requests"]),
            f"<= {plan['bound']}",
            plan["requests"] <= plan["bound"],
        ),
        (
            f"no-op apply, {listing.sources} sources: requests, writes",
            f"{noop['requests']}, {noop['writes']}",
            f"<= {plan['bound']}, 0",
            noop["requests"] <= plan["bound"] and noop["writes"] == 0,
        ),
        # within the margin apply's deadline gives its writes over their floor
        (
            f"apply of {apply_sources} new sources x the rate-limit floor",
            f"{ratio:.3f}x ({apply['floor']:.0f} s floor)",
            f"<= {1 + WRITE_MARGIN:.2f}x",
            ratio <= 1 + WRITE_MARGIN,
        ),
        (
            "apply: 429s received, sources created",
            f"{apply['throttled']}, {apply['sources']}",
            f"0, {apply_sources}",
            apply["throttled"] == 0 and apply["sources"] == apply_sources,
        ),
    ]
    title = (
        f"registration against the stand-in: {listing.latency * 1000:.0f} ms per request, "
        f"{creating.rate} mutations per {creating.window:g} s, page size {listing.page_size}"
    )
    return title, rows


def usage_rows(runs: int, baseline: float) -> tuple[str, list[Row]]:
    figures: dict[str, Any] = usage.measure(1_000, 5_000, 100, runs)
    bound = figures["bound"] + usage.CONSTANT
    local = figures["local"]["total"]
    rows: list[Row] = [
        ("requests", str(figures["requests"]), f"<= {bound}", figures["requests"] <= bound),
        (
            "local work (manifest, join, reports, exposures)",
            f"{local / baseline:.2f}x json.load ({local:.2f} s)",
            "< 1 s",
            local < 1.0,
        ),
    ]
    return f"usage: 1,000 sources, 5,000 metrics, page size 100, local work median of {runs}", rows


def saved_plan_rows(repeat: int) -> tuple[str, list[Row]]:
    figures: dict[str, Any] = saved_plans.measure(1_000, 5_000, repeat)
    seconds = figures["seconds"]
    plan = seconds["plan"]
    rows: list[Row] = []
    for label, target in saved_plans.TARGETS.items():
        ratio = seconds[label] / plan
        measured = f"{ratio:.2f}x ({seconds[label]:.2f} s)"
        rows.append((saved_plans.LABELS[label], measured, f"<= {target:.1f}x", ratio <= target))
    rows.append(("apply --plan: writes", str(figures["writes"]), "0", figures["writes"] == 0))
    rows.append(("plan file", f"{figures['megabytes']:.1f} MB", "", None))
    title = (
        f"saved plans: 1,000 sources and 5,000 metrics, all registered and unchanged, against the stand-in "
        f"on loopback, median of {repeat}, x plan ({plan:.2f} s)"
    )
    return title, rows


def render(sections: list[tuple[str, list[Row]]]) -> str:
    lines = []
    for title, rows in sections:
        lines += ["", title]
        for figure, measured, target, met in rows:
            verdict = "" if met is None else "met" if met else "MISSED"
            lines.append(f"  {figure:<56} {measured:<26} {target:<12} {verdict}".rstrip())
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each CLI command")
    parser.add_argument("--models", type=int, default=1000, help="models in each dbt project")
    parser.add_argument("--repeat", type=int, default=3, help="dbt parses (and runs) of each project")
    parser.add_argument("--run-models", type=int, default=300, help="models in each dbt run project")
    parser.add_argument("--apply-sources", type=int, default=1000, help="sources the apply creates")
    options = parser.parse_args()
    started = load()
    print(f"machine: {machine()}")
    title, rows, baseline = cli_rows(options.runs)
    sections = [(title, rows), parse_rows(options.models, options.repeat)]
    sections += [run_rows(options.run_models, options.repeat), query_rows()]
    sections += [registration_rows(options.apply_sources), usage_rows(3, baseline)]
    sections.append(saved_plan_rows(options.repeat))
    print(render(sections))
    print(f"\nload average (1/5/15 min) at the start: {started}; at the end: {load()}")


if __name__ == "__main__":
    main()
