"""`statsig-sources reload`: after `dbt build`, load the results of the experiments whose metrics read
what was rebuilt (docs/reload.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from statsig_sources.commands._options import (
    ProjectOptions,
    connection_options,
    format_option,
    project_options,
    statsig_client,
)
from statsig_sources.commands._project import admitted_project

if TYPE_CHECKING:
    from statsig_sources.reload.plan import ExperimentReload, Reload
    from statsig_sources.statsig.api import StatsigClient
    from statsig_sources.statsig.settings import ClientSettings

# The refresh modes of load_pulse but `metric` (statsig/experiments.py REFRESH_MODES, checked by a test;
# not imported, so that `--help` loads no HTTP client).
FORCED_MODES = ("full", "incremental")


@click.command()
@project_options(marker=False)
@connection_options
@format_option
@click.option(
    "--select",
    multiple=True,
    metavar="NAME",
    help="Reload for this metric source (its Statsig name or its model's name) instead of what the run "
    "rebuilt; repeat for several. No run results are read then.",
)
@click.option(
    "--refresh",
    type=click.Choice(FORCED_MODES),
    default=None,
    help="Load every metric of each experiment: full (all days again) or incremental (the new days) "
    "[default: only the affected metrics; full after `dbt build --full-refresh`].",
)
@click.option("--dry-run", is_flag=True, help="Print what would be requested; send no load.")
@click.pass_context
def reload(
    ctx: click.Context,
    /,
    fmt: str,
    select: tuple[str, ...],
    refresh: str | None,
    dry_run: bool,
    connection: ClientSettings,
    project_options: ProjectOptions,
) -> None:
    """Ask Statsig to load the results of the experiments whose metrics read what dbt rebuilt.

    Reads the run results of the `dbt run` or `dbt build` that wrote the manifest: a metric source
    counts when its own build succeeded, or the build of a relation upstream of it with only views
    between them (a table the run did not rebuild keeps its rows); a source whose build failed or was
    skipped, or whose view the run left missing, is named and not reloaded. Then finds the
    Statsig metrics that read those sources (hidden ones too) and the running experiments that use
    them, and asks Statsig to load each experiment's results for exactly those metrics. An experiment
    Statsig loaded after the run finished is not asked again, so a rerun requests nothing. Exits 1
    when Statsig refuses any experiment; the others are still requested.

    Example:

    \b
        dbt build; rc=$?; statsig-sources reload; exit $rc
        statsig-sources reload --dry-run --format json
        statsig-sources reload --select orders --refresh full
    """
    from statsig_sources.reload.changes import changes_from_run, selected_changes
    from statsig_sources.reload.plan import plan_reload, refresh_for
    from statsig_sources.reload.report import header_lines

    with statsig_client(connection) as client:  # a bad URL or key is refused before anything is read
        project, _ = admitted_project(ctx, "reload", fmt, project_options, warn=False)
        changes = selected_changes(project, select) if select else changes_from_run(project)
        plan = plan_reload(project, changes, client, refresh_for(refresh, changes), dry_run=dry_run)
        if fmt == "text":
            click.echo("\n".join(header_lines(plan)))
        result = _request_loads(plan, client, fmt, connection)
    _report(ctx, result, fmt)


def _request_loads(plan: Reload, client: StatsigClient, fmt: str, connection: ClientSettings) -> Reload:
    from statsig_sources.reload.plan import Outcome, carry_out
    from statsig_sources.statsig.deadlines import allow_writes

    pending = len(plan.of(Outcome.WOULD_REQUEST))
    if plan.dry_run or not pending:
        return plan
    derived = connection.command_timeout is None
    allow_writes(client.deadline, client.throttle.floor(pending), derived, "reload")
    with _progress(pending, fmt) as report:
        return carry_out(plan, client, on_outcome=report)


@contextmanager
def _progress(total: int, fmt: str) -> Iterator[Callable[[ExperimentReload], None]]:
    """A progress bar on a terminal (on stderr, so a JSON or markdown report stays alone on stdout);
    in a CI log, a text report's line per experiment as its load is requested."""
    from statsig_sources.reload.report import outcome_line

    stream = sys.stdout if fmt == "text" else sys.stderr
    if stream.isatty():
        with click.progressbar(length=total, label="Requesting loads", file=stream) as bar:
            yield lambda item: bar.update(1)
    elif fmt == "text":
        yield lambda item: click.echo(outcome_line(item))
    else:
        yield lambda item: None


def _report(ctx: click.Context, result: Reload, fmt: str) -> None:
    from statsig_sources.reload.report import RENDERERS, load_lines, summary_line

    if fmt != "text":
        click.echo(RENDERERS[fmt](result), nl=False)
    else:
        # Lines not streamed already: the dry run's plan, or every load after a progress bar.
        if result.dry_run or sys.stdout.isatty():
            for line in load_lines(result):
                click.echo(line)
        click.echo(summary_line(result))
    if result.exit_code:
        ctx.exit(result.exit_code)
