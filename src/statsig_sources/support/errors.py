"""The project's exceptions. Each carries the exit code the README's table gives it.

Library code raises these and never prints or exits; the click layer turns them into messages.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    INPUT = 2
    REMOTE = 3
    CHANGES_PENDING = 4
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report 128 + 2


class StatsigSourcesError(Exception):
    """Base class: a problem the user can act on, reported without a traceback."""

    exit_code: ExitCode = ExitCode.INPUT


class InputError(StatsigSourcesError):
    """A bad option, or a missing, unreadable or unsupported input file."""

    exit_code = ExitCode.INPUT


class ManifestError(InputError):
    """dbt's manifest.json (or catalog.json) is missing, unreadable or not supported."""


class SqlParseError(InputError):
    """SQL that sqlglot cannot parse, with the position it stopped at."""


class RemoteError(StatsigSourcesError):
    """Statsig was unreachable, refused the key, or kept failing after retries. Safe to rerun."""

    exit_code = ExitCode.REMOTE


class RefusedError(StatsigSourcesError):
    """A command refused to act on what it read (nothing was written). A finding, not an input error."""

    exit_code = ExitCode.FINDINGS
