"""The `statsig-sources` command line: a thin click layer over the library.

Commands are imported only when they run, so `statsig-sources --help` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from statsig_sources import __version__
from statsig_sources.support.errors import ExitCode, StatsigSourcesError

# command name -> "module:attribute" under statsig_sources.commands
COMMANDS: dict[str, str] = {
    "apply": "register:apply",
    "audit": "audit:audit",
    "import-semantic-layer": "semantic:import_semantic_layer",
    "plan": "register:plan",
    "reload": "reload:reload",
    "render": "render:render",
    "stand-in": "standin:stand_in",
    "usage": "usage:usage",
    "validate": "validate:validate",
}


class CliError(click.ClickException):
    """A `StatsigSourcesError` as click shows it: `Error: ...` on stderr, with the error's exit code."""

    def __init__(self, error: StatsigSourcesError) -> None:
        super().__init__(str(error))
        self.exit_code = int(error.exit_code)  # type: ignore[misc]  # click reads it per instance


class Interrupted(click.ClickException):
    """Ctrl-C: one line on stderr and exit 130, never a traceback or click's `Aborted!`."""

    exit_code = int(ExitCode.INTERRUPTED)

    def __init__(self) -> None:
        super().__init__("Interrupted: stopped before finishing. Every command is safe to rerun.")


class _Notices(logging.Handler):
    """Warnings about the tool's own files (an unsafe key): one line each on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(record.getMessage(), err=True)


@contextmanager
def _notices_on_stderr() -> Iterator[None]:
    logger = logging.getLogger("statsig_sources.support")
    handler = _Notices(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        module = importlib.import_module(f"statsig_sources.commands.{module_name}")
        command: Any = getattr(module, attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _notices_on_stderr():
                return super().invoke(ctx)
        except StatsigSourcesError as error:
            raise CliError(error) from None
        except KeyboardInterrupt:
            raise Interrupted() from None
        except click.Abort as abort:  # click turns Ctrl-C at a prompt into Abort
            if isinstance(abort.__context__, KeyboardInterrupt):
                raise Interrupted() from None
            raise


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="statsig-sources")
def main() -> None:
    """Manage Statsig Warehouse Native metric sources as code, from dbt models.

    Example:

    \b
        statsig-sources validate --project-dir .
    """
    # The Console API key never reaches a log record (the client's, httpx's or httpcore's), once per process.
    # Imported here: `--help` and `--version` never run this and stay fast.
    from statsig_sources.support.redaction import install_log_redaction

    install_log_redaction()
    # Text from a manifest may hold what no encoding can print (a lone surrogate): print it escaped
    # rather than fail halfway through a report.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
