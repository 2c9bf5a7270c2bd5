"""The log redaction is the CLI's: installed once at its entry, it masks the key of every open client in
the records of the client, httpx and httpcore (which logs a reason phrase echoing the key at DEBUG)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_statsig import HostileServer, Reply

from statsig_sources.cli import main
from statsig_sources.support.redaction import (
    LOG_FILTER,
    LOGGERS,
    SECRETS,
    install_log_redaction,
    remove_log_redaction,
)

# Not shaped like a Console key, so only the registered key masks it.
SECRET = "Xy7zW3vQ9tRk"
KEY = f"server-{SECRET}"


@pytest.fixture
def without_redaction() -> Iterator[None]:
    """No filter installed, as in a fresh process before the CLI's entry runs."""
    remove_log_redaction()
    try:
        yield
    finally:
        install_log_redaction()


def test_the_cli_installs_the_log_redaction_once_at_its_entry(
    without_redaction: None, project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = Reply(403, b"", reason=f"Forbidden for {KEY}")
    with HostileServer(lambda seen: reply) as server:
        env = {"STATSIG_API_URL": server.url, "STATSIG_CONSOLE_API_KEY": KEY}
        for _ in range(2):
            result = CliRunner().invoke(main, ["plan", "--project-dir", str(project)], env=env)
            assert result.exit_code == 3, result.output
    assert "Forbidden for" in caplog.text  # httpcore logged the reason phrase...
    assert SECRET not in caplog.text  # ...without the key
    assert SECRET not in result.output
    assert [logging.getLogger(name).filters.count(LOG_FILTER) for name in LOGGERS] == [1] * len(LOGGERS)


def test_a_closed_client_s_key_is_no_longer_held() -> None:
    SECRETS.add(KEY)
    SECRETS.add(KEY)
    SECRETS.discard(KEY)
    assert SECRET not in SECRETS.text(f"echo {KEY}")
    SECRETS.discard(KEY)
    assert SECRET in SECRETS.text(f"echo {KEY}")
