"""Shared fixtures: hand-written manifests in a project directory, a started loopback fake Statsig, and
clients that retry fast."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from manifest_fixtures import FIXTURES, write_run_results
from support import KEY, RecordingSleep

from statsig_sources.standin import FakeStatsig
from statsig_sources.statsig.api import StatsigClient
from statsig_sources.statsig.throttle import RateWindow, Throttle
from statsig_sources.support.redaction import install_log_redaction


@pytest.fixture(autouse=True, scope="session")
def log_redaction() -> None:
    """Log records are redacted as the CLI's entry arranges (the library tests log at DEBUG too)."""
    install_log_redaction()


@pytest.fixture
def dbt_project(tmp_path: Path):
    """A project dir whose target/manifest.json is a copy of the named fixture (a factory), with the
    run_results.json of the build that wrote it unless `run_results` is false."""

    def make(relative: str = "valid/postgres_production.json", run_results: bool = True) -> Path:
        (tmp_path / "target").mkdir(exist_ok=True)
        shutil.copy(FIXTURES / relative, tmp_path / "target" / "manifest.json")
        if run_results:
            write_run_results(tmp_path / "target", FIXTURES / relative)
        return tmp_path

    return make


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


@pytest.fixture
def make_client(fake: FakeStatsig) -> Iterator[Callable[..., StatsigClient]]:
    clients: list[StatsigClient] = []

    def build(**options: Any) -> StatsigClient:
        options.setdefault("backoff", 0.0)
        options.setdefault("sleep", RecordingSleep(real=True))
        options.setdefault("throttle", Throttle([RateWindow(1000, 1.0)]))
        options.setdefault("page_size", 3)
        client = StatsigClient(options.pop("api_key", KEY), base_url=fake.url, **options)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def project(dbt_project: Callable[..., Path]) -> Path:
    """A project directory holding the default valid manifest fixture."""
    return dbt_project()
