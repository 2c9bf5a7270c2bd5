"""`statsig-sources stand-in`: a local stand-in for Statsig's Console API, for CI and demos."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from statsig_sources import __version__
from statsig_sources.declaration.releases import REPOSITORY
from statsig_sources.support.errors import InputError

if TYPE_CHECKING:
    from statsig_sources.standin import FakeStatsig

NOTICE = (
    "This is the statsig-sources stand-in for Statsig's Console API on this machine. It is not Statsig:\n"
    "nothing reaches Statsig, and every answer carries the header X-Statsig-Stand-In: not Statsig.\n"
    "Any key starting with console- is accepted. Stop it with Ctrl-C."
)


# The `stand-in` extra of pyproject.toml (tests/python/test_standin_cli.py checks they agree). The
# project is not on PyPI, so the hint names the extra's one package, which is.
STAND_IN_EXTRA = "jsonschema>=4.20"


def missing_extra(module: str) -> str:
    """What to run when the stand-in's extra is not installed."""
    return (
        f"The stand-in needs {module}, its one extra: pip install '{STAND_IN_EXTRA}' (or install "
        "statsig-sources with the extra, from where you install it: "
        f'pip install "statsig-sources[stand-in] @ git+{REPOSITORY}@v{__version__}").'
    )


@click.command("stand-in")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; a loopback address unless --allow-non-loopback.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port; 0 picks a free one."
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the state in this JSON file: read at start, rewritten after every change [default: memory].",
)
@click.option(
    "--seed",
    "seed_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Metric sources, metrics, experiments and faults to start with (YAML or JSON).",
)
@click.option("--allow-non-loopback", is_flag=True, help="Listen on an address other machines can reach.")
def stand_in(
    host: str, port: int, state_path: Path | None, seed_path: Path | None, allow_non_loopback: bool
) -> None:
    """Run a local stand-in for Statsig's Console API (it is not Statsig), for CI and demos.

    Prints its URL, the base for STATSIG_API_URL, as the first line on stdout, then serves until
    stopped (Ctrl-C or SIGTERM). Like Statsig, it refuses a key that is not a Console key and
    validates every request body against Statsig's OpenAPI documents, which it ships; it answers
    with Statsig's envelope. It serves metric sources, metrics (read), experiments (read) and their
    result loads.
    docs/stand-in.md describes the seed file. Needs the stand-in extra, a JSON Schema validator:
    pip install 'jsonschema>=4.20'.

    Example:

    \b
        statsig-sources stand-in --port 8765 --seed statsig-seed.yml &
        export STATSIG_API_URL=http://127.0.0.1:8765/console/v1
        STATSIG_CONSOLE_API_KEY=console-ci statsig-sources plan
    """
    try:
        from statsig_sources.standin import FakeStatsig
    except ImportError as error:
        raise InputError(missing_extra(error.name or "jsonschema")) from None

    fake = FakeStatsig(host=host, port=port, state_path=state_path, allow_non_loopback=allow_non_loopback)
    if seed_path is not None:
        fake.seed_file(seed_path)
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    with fake:
        click.echo(fake.url)
        click.echo(NOTICE, err=True)
        click.echo(_describe(fake, state_path, seed_path), err=True)
        stop.wait()
    click.echo("Stopped.", err=True)


def _describe(fake: FakeStatsig, state_path: Path | None, seed_path: Path | None) -> str:
    state = f"kept in {state_path}" if state_path is not None else "in memory (gone when it stops)"
    lines = [f"State: {state}."] + ([f"Seeded from {seed_path}."] if seed_path is not None else [])
    with fake.lock:
        held = fake.state
        lines.append(
            f"Holding {len(held.sources)} metric source(s), {len(held.metrics)} metric(s), "
            f"{len(held.experiments)} experiment(s) and {len(held.faults)} fault(s) to inject."
        )
    return "\n".join(lines)
