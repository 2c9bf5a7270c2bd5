"""Shared pytest configuration: where the repository is, and a cache directory of the session's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session", autouse=True)
def private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user cache directory every test (and every process it starts) sees: the key that seals the
    remembered SQL answers is made there, never in the home directory of whoever runs the tests."""
    home = tmp_path_factory.mktemp("cache-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home))
        patch.delenv("STATSIG_SOURCES_CACHE_KEY", raising=False)
        yield home
