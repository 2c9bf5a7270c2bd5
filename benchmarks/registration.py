"""Registration at scale against the Statsig stand-in on loopback: plan, a full apply and a no-op apply.

    .venv/bin/python benchmarks/registration.py            # 1,000 sources, ~2 minutes
    .venv/bin/python benchmarks/registration.py --sources 100

The stand-in answers every request after `--latency` seconds and refuses with 429 any mutation past
`--rate` per `--window` seconds; the client's throttle is set to the same limit. The floor for N
creates is (ceil(N / rate) - 1) * window seconds: the last batch may start no earlier than that.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from statsig_sources.registration.apply import apply_plan
from statsig_sources.registration.plan import build_plan
from statsig_sources.registration.plan_items import managed_payload
from statsig_sources.standin import FakeStatsig
from statsig_sources.statsig.api import StatsigClient
from statsig_sources.statsig.throttle import RateWindow, Throttle

KEY = "console-benchmark"
MARKER = "managed-by:statsig-sources:benchmark"


def desired_sources(count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"source_{i:05d}",
            "description": f"Benchmark source {i}.",
            "sql": f"select user_id, ts, value from statsig_staging.source_{i:05d}",
            "timestampColumn": "ts",
            "timestampAsDay": False,
            "idTypeMapping": [{"statsigUnitID": "userID", "column": "user_id"}],
            "tags": ["benchmark"],
        }
        for i in range(count)
    ]


def client_for(fake: FakeStatsig, args: argparse.Namespace) -> StatsigClient:
    throttle = Throttle([RateWindow(args.rate, args.window)])
    return StatsigClient(KEY, base_url=fake.url, page_size=args.page_size, throttle=throttle)


def bench_plan(args: argparse.Namespace, desired: list[dict[str, Any]]) -> dict[str, Any]:
    with FakeStatsig(latency=args.latency) as fake, client_for(fake, args) as client:
        fake.seed_sources(managed_payload(source, MARKER) for source in desired)
        started = time.monotonic()
        plan = build_plan(desired, client.list_sources(), MARKER, set())
        elapsed = time.monotonic() - started
        return {
            "requests": len(fake.requests),
            "bound": math.ceil(len(desired) / args.page_size),
            "seconds": elapsed,
            "unchanged": plan.counts()["unchanged"],
        }


def bench_apply(args: argparse.Namespace, desired: list[dict[str, Any]]) -> dict[str, Any]:
    with FakeStatsig(latency=args.latency, rate_limit=(args.rate, args.window)) as fake:
        with client_for(fake, args) as client:
            started = time.monotonic()
            plan = build_plan(desired, client.list_sources(), MARKER, set())
            result = apply_plan(plan, client)
            elapsed = time.monotonic() - started
        return {
            "requests": len(fake.requests),
            "mutations": fake.mutations,
            "writes": result.writes,
            "seconds": elapsed,
            "floor": (math.ceil(len(desired) / args.rate) - 1) * args.window,
            "throttled": fake.throttled,
            "exit": int(result.exit_code),
            "sources": len(fake.sources),
        }


def bench_noop(args: argparse.Namespace, desired: list[dict[str, Any]]) -> dict[str, Any]:
    with FakeStatsig(latency=args.latency, rate_limit=(args.rate, args.window)) as fake:
        fake.seed_sources(managed_payload(source, MARKER) for source in desired)
        with client_for(fake, args) as client:
            started = time.monotonic()
            result = apply_plan(build_plan(desired, client.list_sources(), MARKER, set()), client)
            elapsed = time.monotonic() - started
        return {
            "requests": len(fake.requests),
            "mutations": fake.mutations,
            "writes": result.writes,
            "seconds": elapsed,
        }


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rate", type=int, default=10)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--page-size", type=int, default=100)
    return parser.parse_args(argv)


def main() -> None:
    args = arguments()
    desired = desired_sources(args.sources)
    print(
        f"{args.sources} sources, {args.latency * 1000:.0f} ms latency, "
        f"{args.rate} mutations per {args.window:g} s, page size {args.page_size}"
    )
    plan = bench_plan(args, desired)
    print(
        f"plan:   {plan['requests']} requests (ceil({args.sources}/{args.page_size}) = {plan['bound']}), "
        f"{plan['seconds']:.2f} s, {plan['unchanged']} unchanged"
    )
    noop = bench_noop(args, desired)
    print(
        f"no-op:  {noop['requests']} requests, {noop['mutations']} mutations, {noop['writes']} writes, "
        f"{noop['seconds']:.2f} s"
    )
    apply = bench_apply(args, desired)
    print(
        f"apply:  {apply['requests']} requests, {apply['mutations']} mutations, {apply['writes']} writes, "
        f"{apply['seconds']:.2f} s, floor {apply['floor']:.0f} s, "
        f"ratio {apply['seconds'] / apply['floor']:.3f}, "
        f"429s received {apply['throttled']}, exit {apply['exit']}, sources {apply['sources']}"
    )


if __name__ == "__main__":
    main()
