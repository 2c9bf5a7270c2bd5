"""Regenerate the demo's seed files in seeds/demo/ — deterministic: the same bytes on every run.

    python scripts/generate_demo_data.py

Two weeks of a small shop's data: app events (some logged out, so only a stableID), orders with
offset-aware timestamps in the buyers' local time zones, and a daily per-user, per-platform fact.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds" / "demo"
FIRST_DAY = date(2026, 3, 1)
DAYS = 14
USERS = 60
PLATFORMS = ("ios", "android", "web")
COUNTRIES = ("US", "DE", "IN", "BR", "JP")
EVENTS = ("page_view", "add_to_cart", "checkout", "heartbeat")
OFFSETS = (timedelta(hours=-5), timedelta(0), timedelta(hours=2), timedelta(hours=5, minutes=30))


def _write(directory: Path, name: str, header: list[str], rows: list[list[object]]) -> None:
    with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _moment(rng: random.Random, day: date) -> datetime:
    seconds = rng.randrange(24 * 3600)
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)


def events(rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    for day_index in range(DAYS):
        day = FIRST_DAY + timedelta(days=day_index)
        for _ in range(120):
            user = rng.randrange(1, USERS + 1)
            logged_in = rng.random() > 0.2
            at = _moment(rng, day)
            rows.append(
                [
                    f"e{len(rows) + 1:05d}",
                    f"u{user:03d}" if logged_in else "",
                    f"d{user:03d}{rng.randrange(2)}",
                    rng.choice(EVENTS),
                    rng.choice(PLATFORMS),
                    COUNTRIES[user % len(COUNTRIES)],
                    at.strftime("%Y-%m-%d %H:%M:%S"),
                ]
            )
    rows.sort(key=lambda row: (str(row[6]), str(row[0])))
    return rows


def orders(rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    for day_index in range(DAYS):
        day = FIRST_DAY + timedelta(days=day_index)
        for _ in range(12):
            user = rng.randrange(1, USERS + 1)
            offset = OFFSETS[user % len(OFFSETS)]
            local = _moment(rng, day).replace(tzinfo=timezone(offset))
            rows.append(
                [
                    f"o{len(rows) + 1:04d}",
                    f"u{user:03d}",
                    local.isoformat(sep=" "),
                    f"{rng.randrange(500, 20000) / 100:.2f}",
                    rng.randrange(1, 6),
                    "refunded" if rng.random() < 0.1 else "completed",
                ]
            )
    return rows


def user_daily(rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    for day_index in range(DAYS):
        day = FIRST_DAY + timedelta(days=day_index)
        for user in range(1, USERS + 1):
            for platform in PLATFORMS:
                if rng.random() < 0.35:
                    rows.append(
                        [f"u{user:03d}", day.isoformat(), platform, rng.randrange(1, 9), rng.randrange(1, 90)]
                    )
    return rows


def write_demo_data(directory: Path) -> None:
    rng = random.Random(20260301)
    directory.mkdir(parents=True, exist_ok=True)
    _write(
        directory,
        "demo_raw_events",
        ["event_id", "user_id", "stable_id", "event_name", "platform", "country", "event_at"],
        events(rng),
    )
    _write(
        directory,
        "demo_raw_orders",
        ["order_id", "user_id", "ordered_at", "order_total_usd", "item_count", "status"],
        orders(rng),
    )
    _write(
        directory,
        "demo_raw_user_daily",
        ["user_id", "activity_date", "platform", "sessions", "minutes_active"],
        user_daily(rng),
    )


if __name__ == "__main__":
    write_demo_data(SEEDS)
