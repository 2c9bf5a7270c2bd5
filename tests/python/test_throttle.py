"""Throttle: sliding windows over a fake clock."""

from __future__ import annotations

import pytest

from statsig_sources.statsig.throttle import RateWindow, Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.mark.parametrize(
    ("windows", "sends", "expected_sleeps"),
    [
        ([RateWindow(3, 1.0)], 3, []),
        ([RateWindow(3, 1.0)], 4, [1.0]),
        ([RateWindow(3, 1.0)], 7, [1.0, 1.0]),
        ([RateWindow(2, 1.0), RateWindow(3, 10.0)], 4, [1.0, 9.0]),
    ],
    ids=["within-limit", "fourth-waits-a-window", "batches", "longer-window-binds"],
)
def test_throttle_waits_exactly_until_every_window_has_room(
    windows: list[RateWindow], sends: int, expected_sleeps: list[float]
) -> None:
    clock = Clock()
    throttle = Throttle(windows, margin=0.0, clock=clock, sleep=clock.sleep)
    for _ in range(sends):
        with throttle.slot():
            pass
    assert clock.sleeps == expected_sleeps


def test_throttle_counts_a_mutation_from_its_answer() -> None:
    clock = Clock()
    throttle = Throttle([RateWindow(1, 1.0)], margin=0.0, clock=clock, sleep=clock.sleep)
    with throttle.slot():
        clock.now += 0.25  # the request took 250 ms
    with throttle.slot():
        pass
    assert clock.sleeps == [1.0]
    assert clock.now == 1.25


def test_throttle_margin_widens_each_window() -> None:
    clock = Clock()
    throttle = Throttle([RateWindow(1, 10.0)], margin=0.02, clock=clock, sleep=clock.sleep)
    for _ in range(2):
        with throttle.slot():
            pass
    assert clock.sleeps == [10.2]


def test_throttle_refuses_an_empty_window() -> None:
    with pytest.raises(ValueError, match="positive limit"):
        Throttle([RateWindow(0, 1.0)])


@pytest.mark.parametrize(
    ("windows", "sends"),
    [
        ([RateWindow(3, 1.0)], 7),
        ([RateWindow(2, 1.0), RateWindow(3, 10.0)], 4),
        ([RateWindow(100, 10.0), RateWindow(900, 900.0)], 1000),
        ([RateWindow(100, 10.0), RateWindow(900, 900.0)], 250),
    ],
)
def test_throttle_floor_is_the_time_its_sleeps_add_up_to(windows: list[RateWindow], sends: int) -> None:
    clock = Clock()
    throttle = Throttle(windows, margin=0.0, clock=clock, sleep=clock.sleep)
    floor = throttle.floor(sends)
    for _ in range(sends):
        with throttle.slot():
            pass
    assert floor == pytest.approx(sum(clock.sleeps))


def test_throttle_floor_of_statsig_limits_for_1000_creates_is_over_15_minutes() -> None:
    assert Throttle().floor(1000) == pytest.approx(900 * 1.01)
    assert Throttle().floor(0) == 0.0
