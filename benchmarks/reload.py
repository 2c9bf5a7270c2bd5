"""`statsig-sources reload` at scale against the Statsig stand-in on loopback: 1,000 metric sources,
5,000 metrics, 1,000 experiments.

    .venv/bin/python benchmarks/reload.py                        # 20 of the 1,000 sources rebuilt
    .venv/bin/python benchmarks/reload.py --rebuilt 60 --page-size 50

A run's results say that `--rebuilt` sources changed (half built, half through their upstream model)
and one failed. Three arms run the CLI in turn: `--dry-run`, the reload, and the same reload again.
Each must stay within one paginated pass over the metrics and over the running experiments, plus one
history read and (the reload only) one write per affected experiment; the rerun writes nothing. The
baseline is the two paginated reads alone, through the same client, in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from click.testing import CliRunner  # noqa: E402
from manifest_cli import generate  # noqa: E402
from usage import metric  # noqa: E402

from statsig_sources.cli import main as cli  # noqa: E402
from statsig_sources.standin import FakeStatsig  # noqa: E402
from statsig_sources.standin.state import complete_experiment  # noqa: E402
from statsig_sources.statsig.api import StatsigClient  # noqa: E402

KEY = "console-benchmark"
RUN_RESULTS_URL = "https://schemas.getdbt.com/dbt/run-results/v6.json"


def write_run_results(target: Path, rebuilt: int) -> None:
    """Sources 0..n/2 built, the upstream models of the next n/2 rebuilt, source n failed."""
    half = rebuilt // 2
    statuses = {f"model.bench.statsig_source_{i}": "success" for i in range(half)}
    statuses |= {f"model.bench.fct_events_{i}": "success" for i in range(half, rebuilt)}
    statuses[f"model.bench.statsig_source_{rebuilt}"] = "error"
    finished = datetime.now(timezone.utc) - timedelta(minutes=1)
    document = {
        "metadata": {
            "dbt_schema_version": RUN_RESULTS_URL,
            "generated_at": finished.isoformat().replace("+00:00", "Z"),
            "invocation_id": "bench",
        },
        "results": [
            {"unique_id": node, "status": status, "message": None} for node, status in statuses.items()
        ],
        "args": {"which": "build", "invocation_command": "dbt build", "full_refresh": False},
    }
    (target / "run_results.json").write_text(json.dumps(document))


def experiment(i: int, metrics: int) -> dict[str, Any]:
    """Three metrics each; every tenth is stopped; every hundredth also picks metrics by tag."""
    names = [f"metric {(i * 5 + k * 7) % metrics} :: revenue" for k in range(3)]
    found: dict[str, Any] = {
        "id": f"experiment_{i}",
        "status": "decision_made" if i % 10 == 9 else "active",
        "primaryMetrics": [{"name": name, "type": "user_warehouse"} for name in names],
    }
    if i % 100 == 0:
        found["secondaryMetricTags"] = ["guardrail"]
    return complete_experiment(found)


def seed(fake: FakeStatsig, sources: int, metrics: int, experiments: int) -> None:
    # Appended directly: the stand-in's per-entry schema check would dominate the setup time.
    generated = [metric(i, sources) for i in range(metrics)]
    for i in range(0, metrics, 97):
        generated[i]["tags"] = ["guardrail"]
    fake.state.metrics.extend(generated)
    fake.state.experiments.update((e["id"], e) for e in (experiment(i, metrics) for i in range(experiments)))


def kinds(fake: FakeStatsig, since: int) -> Counter[str]:
    """The requests since the `since`-th, by what they read or wrote."""
    counted: Counter[str] = Counter()
    for request in fake.requests[since:]:
        path = request.path.removeprefix("/console/v1")
        if path.endswith("/pulse_load_history"):
            counted["history reads"] += 1
        elif path.endswith("/load_pulse"):
            counted["loads"] += 1
        else:
            counted[f"{path} pages"] += 1
    return counted


def arm(fake: FakeStatsig, command: list[str]) -> tuple[dict[str, Any], Counter[str], float]:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    since = len(fake.requests)
    started = time.perf_counter()
    result = CliRunner().invoke(cli, command, env=env, catch_exceptions=False)
    took = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report, kinds(fake, since), took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--metrics", type=int, default=5000)
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--rebuilt", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeStatsig() as fake:
        target = Path(tmp) / "target"
        target.mkdir()
        generate(target / "manifest.json", args.sources * 2, args.sources)
        write_run_results(target, args.rebuilt)
        seed(fake, args.sources, args.metrics, args.experiments)
        running = sum(1 for e in fake.state.experiments.values() if e["status"] == "active")
        pages = math.ceil(args.metrics / args.page_size) + math.ceil(running / args.page_size)

        with StatsigClient(KEY, base_url=fake.url, page_size=args.page_size) as client:
            started = time.perf_counter()
            client.list_metrics(), client.list_experiments()
            baseline = time.perf_counter() - started

        base = ["reload", "--project-dir", tmp, "--page-size", str(args.page_size), "--format", "json"]
        print(
            f"reload: {args.sources} sources ({args.rebuilt} changed, 1 failed), {args.metrics} metrics, "
            f"{args.experiments} experiments ({running} running), page size {args.page_size}"
        )
        print(f"  baseline, the two paginated reads alone: {pages} requests, {baseline:.2f} s")
        for label, extra in (("dry run", ["--dry-run"]), ("reload", []), ("rerun", [])):
            report, counted, took = arm(fake, base + extra)
            affected = sum(1 for e in report["experiments"] if e["outcome"] != "skipped")
            loads = affected if label == "reload" else 0
            bound = pages + affected + loads
            total = sum(counted.values())
            ran = " ".join(["statsig-sources", *base[:2], "<project>", *base[3:], *extra])
            print(f"  {label}: `{ran}`")
            print(
                f"    {len(report['metrics'])} affected metrics, {affected} affected experiments "
                f"({report['summary']}); {took:.2f} s, {took / baseline:.1f}x the baseline"
            )
            print(f"    requests: {total} ({dict(sorted(counted.items()))}); bound {bound}")
            assert total <= bound, f"{label}: {total} requests > {bound}"
            assert counted["loads"] == loads, f"{label}: {counted['loads']} loads, expected {loads}"


if __name__ == "__main__":
    main()
