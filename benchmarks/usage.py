"""`statsig-sources usage` at scale against the Statsig stand-in on loopback: 1,000 sources, 5,000 metrics.

    .venv/bin/python benchmarks/usage.py                       # 1,000 sources, 5,000 metrics
    .venv/bin/python benchmarks/usage.py --metrics 20000 --page-size 500

Checks that one run makes at most ceil(metrics / page) + ceil(sources / page) requests (one paginated
pass over each list, nothing per source) and times the local work — reading the manifest, joining,
rendering every format and the exposures YAML — apart from HTTP.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
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
from statsig_sources.standin import FakeStatsig  # noqa: E402
from statsig_sources.statsig.api import StatsigClient  # noqa: E402
from statsig_sources.usage.exposures import exposures_yaml  # noqa: E402
from statsig_sources.usage.join import build_usage, managed_sources  # noqa: E402
from statsig_sources.usage.report import RENDERERS  # noqa: E402

KEY = "console-benchmark"
MARKER = "managed-by:statsig-sources:bench"
CONSTANT = 2  # allowance for the small fixed overhead the bound permits


def metric(i: int, sources: int) -> dict[str, Any]:
    """Every tenth a ratio, every tenth a funnel of three steps, every 25th hidden, every 50th dangling."""
    name = f"metric {i} :: revenue"
    source = f"statsig_source_{i % sources}" if i % 50 else "hand_made"
    native: dict[str, Any] = {"aggregation": "sum", "metricSourceName": source, "valueColumn": "value"}
    if i % 10 == 1:
        native.update(
            aggregation="ratio",
            denominatorMetricSourceName=f"statsig_source_{(i + 7) % sources}",
            denominatorValueColumn="item_count",
        )
    elif i % 10 == 2:
        steps = [f"statsig_source_{(i + k) % sources}" for k in range(3)]
        crit = [{"type": "metadata", "column": "country", "condition": "in", "values": ["US"]}]
        native = {
            "aggregation": "funnel",
            "funnelEvents": [{"metricSourceName": step, "criteria": crit} for step in steps],
        }
    return {
        "id": f"{name}::user_warehouse",
        "name": name,
        "type": "user_warehouse",
        "directionality": "increase",
        "isHidden": i % 25 == 0,
        "lineage": {"events": [], "metrics": []},
        "warehouseNative": {**native, "metricDimensionColumns": ["platform"]},
    }


def seed(fake: FakeStatsig, sources: int, metrics: int) -> None:
    remote = {"sql": "select 1", "timestampColumn": "timestamp", "idTypeMapping": [], "tags": [MARKER]}
    fake.seed_sources([{**remote, "name": f"statsig_source_{i}"} for i in range(sources)])
    fake.seed_sources([{**remote, "name": "hand_made", "tags": []}])
    # Appended directly: the fake's per-metric schema check would dominate the setup time.
    fake.state.metrics.extend(metric(i, sources) for i in range(metrics))


def local_work(
    manifest: Path, remote: list[dict[str, Any]], metrics: list[dict[str, Any]]
) -> dict[str, float]:
    """Seconds per step of what the benchmarked command does besides HTTP."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    project = build_project(read_artifacts(ArtifactPaths.beside(manifest)), Settings())
    times["manifest"] = time.perf_counter() - started
    usage = build_usage(managed_sources(project), metrics, remote, MARKER)
    times["join"] = time.perf_counter() - started - sum(times.values())
    RENDERERS["json"](usage)
    times["json report"] = time.perf_counter() - started - sum(times.values())
    exposures_yaml(usage)
    times["exposures"] = time.perf_counter() - started - sum(times.values())
    times["total"] = time.perf_counter() - started
    return times


def measure(sources: int, metrics: int, page_size: int, runs: int) -> dict[str, Any]:
    """One `usage` run through the CLI against the stand-in, and its local work timed `runs` times."""
    with tempfile.TemporaryDirectory() as tmp, FakeStatsig() as fake:
        manifest = Path(tmp) / "target" / "manifest.json"
        manifest.parent.mkdir()
        generate(manifest, sources * 2, sources)
        seed(fake, sources, metrics)

        env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
        command = ["usage", "--project-dir", tmp, "--page-size", str(page_size), "--format", "json"]
        command += ["--marker", MARKER, "--write-exposures", str(Path(tmp) / "models" / "exposures.yml")]
        started = time.perf_counter()
        result = CliRunner().invoke(cli, command, env=env, catch_exceptions=False)
        end_to_end = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        requests = len(fake.requests)

        with StatsigClient(KEY, base_url=fake.url, page_size=page_size) as client:
            started = time.perf_counter()
            remote, listed = client.list_sources(), client.list_metrics()
            http = time.perf_counter() - started
        timings = [local_work(manifest, remote, listed) for _ in range(runs)]
    return {
        "requests": requests,
        # one paginated pass over each list (the stand-in also holds one source dbt does not manage)
        "bound": math.ceil(metrics / page_size) + math.ceil((sources + 1) / page_size),
        "end_to_end": end_to_end,
        "http": http,
        # the median run by total (a noisy neighbour on a shared machine slows single runs)
        "local": sorted(timings, key=lambda run: run["total"])[len(timings) // 2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--metrics", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures = measure(args.sources, args.metrics, args.page_size, args.runs)
    requests, bound, local = figures["requests"], figures["bound"], figures["local"]
    print(f"usage: {args.sources} sources, {args.metrics} metrics, page size {args.page_size}")
    print(f"  requests: {requests} (bound ceil(metrics/page) + ceil(sources/page) = {bound}, +{CONSTANT})")
    end_to_end, http = figures["end_to_end"], figures["http"]
    print(f"  end to end (CLI, JSON + exposures): {end_to_end:.2f} s; HTTP alone: {http:.2f} s")
    steps = ", ".join(f"{step} {seconds:.3f}" for step, seconds in local.items() if step != "total")
    print(f"  local work, median of {args.runs}: {local['total']:.3f} s ({steps})")
    assert requests <= bound + CONSTANT, f"{requests} requests > {bound} + {CONSTANT}"
    assert local["total"] < 1.0, "local work took a second or more"


if __name__ == "__main__":
    main()
