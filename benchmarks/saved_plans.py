"""Saved plans at scale against the Statsig stand-in on loopback: 1,000 metric sources, 5,000 metrics.

    .venv/bin/python benchmarks/saved_plans.py                 # 1,000 sources, 5,000 metrics, ~40 s
    .venv/bin/python benchmarks/saved_plans.py --sources 100 --metrics 500 --repeat 5

Times, through the CLI and in the same run, what CI does on a pull request once everything is
registered: `plan` (the baseline), `plan --out FILE` (the same plan, every object it read and every
declaration fingerprinted, and the file written) and `apply --yes --plan FILE` (planned again and
checked against the file; Statsig is unchanged, so nothing is written). Each is the median of
`--repeat` runs, round-robin, so a noisy neighbour slows all three alike. The stand-in answers at once
(`--latency 0`), so the ratios are the local work alone: Statsig's latency adds the same seconds to all
three. Targets, of the project's choosing (a saved plan should not make CI noticeably slower): saving,
and checking the file before applying it, each cost at most 1.5x the plan; `apply --plan` writes nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from click.testing import CliRunner  # noqa: E402
from manifest_cli import generate  # noqa: E402

from statsig_sources.artifacts.paths import ArtifactPaths  # noqa: E402
from statsig_sources.artifacts.read import read_artifacts  # noqa: E402
from statsig_sources.cli import main as cli  # noqa: E402
from statsig_sources.declaration.settings import Settings  # noqa: E402
from statsig_sources.project import build_project  # noqa: E402
from statsig_sources.registration.apply import apply_plan  # noqa: E402
from statsig_sources.registration.metrics import build_metric_payloads  # noqa: E402
from statsig_sources.registration.plan import build_plan  # noqa: E402
from statsig_sources.registration.sources import build_payloads  # noqa: E402
from statsig_sources.standin import FakeStatsig  # noqa: E402
from statsig_sources.statsig.api import StatsigClient  # noqa: E402
from statsig_sources.statsig.throttle import Throttle  # noqa: E402

KEY = "console-benchmark"
# command -> the most it may take, as a multiple of the plan without saving
TARGETS = {"save": 1.5, "apply": 1.5}
LABELS = {
    "plan": "plan (baseline)",
    "save": "plan --out FILE",
    "apply": "apply --plan FILE (no writes)",
}


def declared_metric(i: int, sources: int) -> dict[str, Any]:
    """Metric `i` as dbt declares it on its source: sums, filtered counts and, every fifth, a ratio over
    the next source's measure."""
    name = f"Benchmark metric {i:05d}"
    if i % 5 == 4:
        denominator = {"source": f"statsig_source_{(i + 1) % sources}", "aggregation": "sum"}
        denominator["value_column"] = "item_count"
        return {
            "name": name,
            "aggregation": "ratio",
            "numerator_aggregation": "sum",
            "value_column": "value",
            "denominator": denominator,
        }
    if i % 5 == 3:
        criteria = [{"column": "country", "condition": "in", "values": ["US", "NZ"]}]
        return {"name": name, "aggregation": "count", "criteria": criteria, "dimensions": ["platform"]}
    return {"name": name, "aggregation": "sum", "value_column": "value", "tags": ["benchmark"]}


def write_project(project: Path, sources: int, metrics: int) -> None:
    """The generated manifest of benchmarks/manifest_cli.py: `sources` metric sources, each declaring its
    share of `metrics` metrics (round-robin), and three times as many other nodes (models, seeds and
    tests; enough models for each source to read one)."""
    manifest = project / "target" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    generate(manifest, sources * 4, sources)
    data = json.loads(manifest.read_text())
    for i in range(metrics):
        node = data["nodes"][f"model.bench.statsig_source_{i % sources}"]
        node["config"]["meta"]["statsig"].setdefault("metrics", []).append(declared_metric(i, sources))
    manifest.write_text(json.dumps(data))


def register(fake: FakeStatsig, project: Path) -> int:
    """Every source and metric registered, as the `apply` of the last merge left them (untimed: sent
    straight to the stand-in, without the client's rate limit); how many writes that took."""
    loaded = build_project(
        read_artifacts(ArtifactPaths.beside(project / "target" / "manifest.json")), Settings()
    )
    desired = [payload.body for payload in build_payloads(loaded)]
    declared = [payload.body for payload in build_metric_payloads(loaded)]
    plan = build_plan(desired, [], loaded.marker, set(), metrics=declared, remote_metrics=[], take_over=set())
    with StatsigClient(KEY, base_url=fake.url, page_size=100, throttle=Throttle([])) as client:
        result = apply_plan(plan, client)
    assert result.exit_code == 0, result
    return result.writes


def commands(plan_file: Path) -> dict[str, list[str]]:
    """Each timed command line, after `statsig-sources`; the JSON report, as CI archives it."""
    return {
        "plan": ["plan", "--format", "json"],
        "save": ["plan", "--format", "json", "--out", str(plan_file)],
        "apply": ["apply", "--yes", "--format", "json", "--plan", str(plan_file)],
    }


def changed(summary: dict[str, int]) -> dict[str, int]:
    """The plan's counts: what it leaves unchanged, and everything else it would do."""
    return {"unchanged": summary["unchanged"], "other": sum(summary.values()) - summary["unchanged"]}


def timed(invoke: Callable[[list[str]], Any], command: list[str]) -> float:
    started = time.perf_counter()
    result = invoke(command)
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, f"{' '.join(command)} exited {result.exit_code}: {result.output[-2000:]}"
    return elapsed


def measure(sources: int, metrics: int, repeat: int, latency: float = 0.0) -> dict[str, Any]:
    """Median seconds of each command over `repeat` round-robin runs, the plan file's size in MB, the
    writes the registration took and the writes the timed runs made (none: Statsig is unchanged)."""
    with tempfile.TemporaryDirectory() as tmp, FakeStatsig() as fake:
        project = Path(tmp)
        write_project(project, sources, metrics)
        registered = register(fake, project)
        fake.latency = latency
        env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
        runner = CliRunner()

        def invoke(command: list[str]) -> Any:
            return runner.invoke(cli, [*command, "--project-dir", tmp], env=env, catch_exceptions=False)

        lines = commands(project / "statsig-plan.json")
        # untimed: the imports, and the SQL answers cached beside the manifest, as in CI's second run
        report = json.loads(invoke(lines["plan"]).stdout)
        for command in lines.values():
            timed(invoke, command)
        before = fake.mutations
        times: dict[str, list[float]] = {label: [] for label in lines}
        for _ in range(repeat):
            for label, command in lines.items():
                times[label].append(timed(invoke, command))
        return {
            "seconds": {label: statistics.median(values) for label, values in times.items()},
            "megabytes": (project / "statsig-plan.json").stat().st_size / 1e6,
            "registered": registered,
            "pending": {kind: changed(report[kind]) for kind in ("summary", "metric_summary")},
            "writes": fake.mutations - before,
        }


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--metrics", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the stand-in takes per request")
    return parser.parse_args(argv)


def report(args: argparse.Namespace, figures: dict[str, Any]) -> list[str]:
    seconds, pending = figures["seconds"], figures["pending"]
    lines = [
        f"saved plans: {args.sources} sources, {args.metrics} metrics, {args.latency * 1000:.0f} ms latency, "
        f"median of {args.repeat}",
        f"  registered first: {figures['registered']} writes; the plan: "
        f"{pending['summary']['unchanged']} sources and {pending['metric_summary']['unchanged']} metrics "
        f"unchanged, {pending['summary']['other'] + pending['metric_summary']['other']} other items",
    ]
    for label, value in seconds.items():
        ratio = value / seconds["plan"]
        target = TARGETS.get(label)
        verdict = "" if target is None else f"  target <= {target}x: {'met' if ratio <= target else 'MISSED'}"
        lines.append(f"  {LABELS[label]:<32} {value:>7.2f} s {ratio:>6.2f}x plan{verdict}")
    lines.append(f"  {'plan file':<32} {figures['megabytes']:>7.1f} MB")
    lines.append(f"  {'writes by apply --plan':<32} {figures['writes']:>7}")
    return lines


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    print("\n".join(report(args, measure(args.sources, args.metrics, args.repeat, args.latency))))


if __name__ == "__main__":
    main()
