"""`plan` and `apply`: register the metric sources in dbt's manifest with Statsig.

The desired state is `build_payloads(project)`, exactly what `render` writes, from a project that
`validate`'s rules pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from statsig_sources.commands._options import (
    Connection,
    connection_options,
    format_option,
    governance_options,
    manifest_options,
    marker_option,
    statsig_client,
)
from statsig_sources.commands._project import checked_project
from statsig_sources.errors import ExitCode

if TYPE_CHECKING:
    from statsig_sources.plan import Plan
    from statsig_sources.statsig_api import StatsigClient


def _plan(
    ctx: click.Context,
    command: str,
    fmt: str,
    client: StatsigClient,
    adopt: tuple[str, ...],
    force: bool,
    options: Any,
) -> Plan:
    """Validate the project (refusing before any request), diff its payloads against Statsig, and
    block updates that would break a column a live metric reads (docs/usage.md) unless forced."""
    from statsig_sources.impact import guard_plan
    from statsig_sources.payloads import build_payloads, check_encodable
    from statsig_sources.plan import build_plan
    from statsig_sources.report import violation_line

    project, warnings = checked_project(ctx, command, fmt, **options)
    for warning in warnings:
        click.echo(violation_line(warning), err=True)
    payloads = build_payloads(project)
    check_encodable(payloads, "No request was sent to Statsig.")
    desired = [payload.body for payload in payloads]
    result = build_plan(desired, client.list_sources(), project.marker, set(adopt))
    return guard_plan(result, client.list_metrics, force=force)


@click.command()
@manifest_options
@governance_options
@marker_option
@connection_options
@format_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 4 when changes are pending.")
@click.option(
    "--adopt", multiple=True, metavar="NAME", help="Plan to take over an unmarked source of this name."
)
@click.option("--force", is_flag=True, help="Allow updates that break columns live metrics use.")
@click.pass_context
def plan(
    ctx: click.Context,
    /,
    fmt: str,
    detailed_exitcode: bool,
    adopt: tuple[str, ...],
    force: bool,
    connection: Connection,
    **options: Any,
) -> None:
    """Show what `apply` would change in Statsig, without writing anything.

    Validates the manifest first and sends no request when any source is invalid. The desired state
    is exactly what `render` writes.

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources plan --format markdown > plan.md
    """
    from statsig_sources.plan_report import RENDERERS

    with statsig_client(connection) as client:
        result = _plan(ctx, "plan", fmt, client, adopt, force, options)
    click.echo(RENDERERS[fmt](result), nl=False)
    if detailed_exitcode and result.has_changes:
        ctx.exit(int(ExitCode.CHANGES_PENDING))


@click.command()
@manifest_options
@governance_options
@marker_option
@connection_options
@click.option("--prune", is_flag=True, help="Delete orphaned sources that no metric uses.")
@click.option("--adopt", multiple=True, metavar="NAME", help="Take over an unmarked source of this name.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Let Statsig validate every write, persisting nothing.")
@click.option("--force", is_flag=True, help="Allow updates that break columns live metrics use.")
@click.pass_context
def apply(
    ctx: click.Context,
    /,
    prune: bool,
    adopt: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    force: bool,
    connection: Connection,
    **options: Any,
) -> None:
    """Create and update metric sources in Statsig so they match dbt's manifest.

    Validates first (no request when any source is invalid), shows the plan, asks for confirmation
    on a terminal, writes, then reads every written source back. Exits 1 while any item is blocked,
    failed or drifted.

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources apply --yes --prune
    """
    from statsig_sources.apply import actionable, apply_plan
    from statsig_sources.deadlines import allow_writes
    from statsig_sources.plan_report import render_text

    with statsig_client(connection) as client:
        result = _plan(ctx, "apply", "text", client, adopt, force, options)
        click.echo(render_text(result), nl=False)
        todo = actionable(result)
        if not todo:
            return
        allow_writes(client.deadline, client.throttle.floor(len(todo)), connection.command_timeout is None)
        if not (yes or dry_run) and sys.stdin.isatty():
            click.confirm("Apply these changes to Statsig?", abort=True)
        with _progress(len(todo)) as report:
            outcome = apply_plan(result, client, prune=prune, dry_run=dry_run, on_outcome=report)
    _summarise(ctx, outcome)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Any], None]]:
    """A progress bar on a terminal; plain lines otherwise (CI logs)."""
    if sys.stdout.isatty():
        with click.progressbar(length=total, label="Applying") as bar:
            yield lambda outcome: bar.update(1)
    else:
        yield lambda outcome: click.echo(f"{outcome.status.value}: {outcome.action.value} {outcome.name}")


def _summarise(ctx: click.Context, outcome: Any) -> None:
    from statsig_sources.apply import PROBLEMS

    for item in outcome.outcomes:
        if item.status in PROBLEMS:
            click.echo(f"{item.status.value}: {item.action.value} {item.name}: {item.message}", err=True)
    click.echo(f"Applied: {outcome.writes} write(s).")
    if outcome.exit_code:
        ctx.exit(int(outcome.exit_code))
