"""`plan` and `apply`: register the metric sources in dbt's manifest with Statsig.

The desired state is `build_payloads(project)`, exactly what `render` writes, from a project that
`validate`'s rules pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from statsig_sources.commands._options import (
    Connection,
    ProjectOptions,
    connection_options,
    format_option,
    project_options,
    statsig_client,
)
from statsig_sources.commands._project import admitted_project
from statsig_sources.core.errors import ExitCode, RefusedError

if TYPE_CHECKING:
    from statsig_sources.client.api import StatsigClient
    from statsig_sources.core.project import Project
    from statsig_sources.registration.apply import ApplyResult, Outcome
    from statsig_sources.registration.plan import Plan


@dataclass(frozen=True)
class PlanRequest:
    """What `plan` and `apply` were asked to plan, and how."""

    command: str  # plan or apply
    fmt: str
    project_options: ProjectOptions
    adopt: tuple[str, ...] = ()
    force: bool = False
    allow_non_production: bool = True
    take_over: tuple[str, ...] = ()


def _plan(ctx: click.Context, request: PlanRequest, client: StatsigClient) -> tuple[Project, Plan]:
    """Validate the project (refusing before any request), diff its payloads against Statsig, and
    block updates that would break a column a live metric reads (docs/usage.md) unless forced."""
    from statsig_sources.registration.impact import guard_plan
    from statsig_sources.registration.metric_payloads import build_metric_payloads
    from statsig_sources.registration.payloads import build_payloads, check_encodable
    from statsig_sources.registration.plan import build_plan
    from statsig_sources.rules.governance import non_production_message
    from statsig_sources.rules.report import violation_line

    command = request.command
    project, warnings = admitted_project(ctx, command, request.fmt, request.project_options)
    for warning in warnings:
        click.echo(violation_line(warning), err=True)
    development = non_production_message(project)
    if development is not None and not request.allow_non_production:
        raise RefusedError(f"{command} refused, no request was sent to Statsig: {development}.")
    payloads, metrics = build_payloads(project), build_metric_payloads(project)
    check_encodable([*payloads, *metrics], "No request was sent to Statsig.")
    desired = [payload.body for payload in payloads]
    declared = [metric.body for metric in metrics]
    remote_sources, remote_metrics = client.list_sources(), client.list_metrics()
    result = build_plan(
        desired,
        remote_sources,
        project.marker,
        set(request.adopt),
        metrics=declared,
        remote_metrics=remote_metrics,
        take_over=set(request.take_over),
    )
    adapter = project.manifest.adapter_type
    return project, guard_plan(
        result,
        lambda: remote_metrics,
        adapter_type=adapter,
        fetch_experiments=lambda: client.list_experiments("active"),
        force=request.force,
        desired_metrics=declared,
    )


@click.command()
@project_options()
@connection_options
@format_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 4 when changes are pending.")
@click.option(
    "--adopt",
    multiple=True,
    metavar="NAME",
    help="Plan to take over an unmarked source or metric of this name.",
)
@click.option(
    "--take-over",
    multiple=True,
    metavar="NAME",
    help="Plan to take over a source or metric of this name that another statsig-sources project's "
    "marker claims, replacing that marker (docs/registration.md).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Allow updates that break columns live metrics use, and removals of sources they read.",
)
@click.pass_context
def plan(
    ctx: click.Context,
    /,
    fmt: str,
    detailed_exitcode: bool,
    adopt: tuple[str, ...],
    take_over: tuple[str, ...],
    force: bool,
    connection: Connection,
    project_options: ProjectOptions,
) -> None:
    """Show what `apply` would change in Statsig's metric sources and metrics, without writing anything.

    Validates the manifest first and sends no request when any source is invalid. The desired state
    is exactly what `render` writes: every source, and every metric declared in dbt. Exits 1 when any
    item is blocked (a name held by a source or metric without the marker, an update that breaks a
    live metric, a source removed from dbt while metrics read it), with or without --detailed-exitcode.

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources plan --format markdown > plan.md
    """
    from statsig_sources.commands._project import manifest_line
    from statsig_sources.registration.plan import Action
    from statsig_sources.registration.report import RENDERERS, render_markdown

    with statsig_client(connection) as client:
        request = PlanRequest("plan", fmt, project_options, adopt, force, take_over=take_over)
        project, result = _plan(ctx, request, client)
    if fmt == "markdown":
        click.echo(render_markdown(result, read=manifest_line(project)), nl=False)
    else:
        click.echo(RENDERERS[fmt](result), nl=False)
    if result.of(Action.BLOCKED):
        ctx.exit(ExitCode.FINDINGS)  # a blocked item fails CI, whatever else is pending
    if detailed_exitcode and result.has_changes:
        ctx.exit(ExitCode.CHANGES_PENDING)


@click.command()
@project_options()
@connection_options
@click.option(
    "--prune",
    is_flag=True,
    help="Delete orphaned metrics that no experiment uses, then orphaned sources that no metric uses.",
)
@click.option(
    "--adopt", multiple=True, metavar="NAME", help="Take over an unmarked source or metric of this name."
)
@click.option(
    "--take-over",
    multiple=True,
    metavar="NAME",
    help="Take over a source or metric of this name that another statsig-sources project's marker "
    "claims, replacing that marker: that project no longer manages it (docs/registration.md).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Let Statsig validate every write, persisting nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Allow updates that break columns live metrics use, and removals of sources they read.",
)
@click.option(
    "--allow-non-production",
    is_flag=True,
    envvar="STATSIG_SOURCES_ALLOW_NON_PRODUCTION",
    help="Register sources built outside the production governed schema (a development target's "
    "build); env STATSIG_SOURCES_ALLOW_NON_PRODUCTION.",
)
@click.pass_context
def apply(
    ctx: click.Context,
    /,
    prune: bool,
    adopt: tuple[str, ...],
    take_over: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    force: bool,
    allow_non_production: bool,
    connection: Connection,
    project_options: ProjectOptions,
) -> None:
    """Create and update metric sources and metrics in Statsig so they match dbt's manifest.

    Validates first (no request when any source is invalid, or when the sources are built outside
    the production governed schema, unless --allow-non-production), shows the plan, asks for
    confirmation on a terminal, writes (sources before the metrics that read them, metrics pruned
    before their sources), then reads everything written back. Exits 1 while any item is blocked,
    failed or drifted.

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources apply --yes --prune
    """
    from statsig_sources.client.deadlines import allow_writes
    from statsig_sources.registration.apply import actionable, apply_plan, planned_writes
    from statsig_sources.registration.report import render_text

    with statsig_client(connection) as client:
        request = PlanRequest("apply", "text", project_options, adopt, force, allow_non_production, take_over)
        _, result = _plan(ctx, request, client)
        click.echo(render_text(result), nl=False)
        todo = actionable(result)
        if not todo:
            return
        floor = client.throttle.floor(planned_writes(todo))
        allow_writes(client.deadline, floor, connection.command_timeout is None)
        if not (yes or dry_run) and sys.stdin.isatty():
            click.confirm("Apply these changes to Statsig?", abort=True)
        terminal = sys.stdout.isatty()
        with _progress(len(todo), terminal) as report:
            outcome = apply_plan(result, client, prune=prune, dry_run=dry_run, on_outcome=report)
    _summarise(ctx, outcome, listed=not terminal)


def outcome_line(outcome: Outcome) -> str:
    """`status: action name`, with the message of a problem (`blocked: statsig_orders: ...`); a metric
    is named as one (`done: create metric Order revenue`)."""
    from statsig_sources.registration.apply import PROBLEMS, Status
    from statsig_sources.registration.plan import Kind

    action = "" if outcome.action.value == outcome.status.value else f" {outcome.action.value}"
    kind = " metric" if outcome.kind is Kind.METRIC else ""
    shown = outcome.status in PROBLEMS or outcome.status is Status.SKIPPED
    message = f": {outcome.message}" if shown and outcome.message else ""
    return f"{outcome.status.value}:{action}{kind} {outcome.name}{message}"


@contextmanager
def _progress(total: int, terminal: bool) -> Iterator[Callable[[Outcome], None]]:
    """A progress bar on a terminal; one line per source or metric otherwise (CI logs)."""
    if terminal:
        with click.progressbar(length=total, label="Applying") as bar:
            yield lambda outcome: bar.update(1)
    else:
        yield lambda outcome: click.echo(outcome_line(outcome))


def _summarise(ctx: click.Context, outcome: ApplyResult, listed: bool) -> None:
    """Each problem once: after a progress bar, or already in the per-source lines."""
    from statsig_sources.registration.apply import PROBLEMS

    if not listed:
        for item in outcome.outcomes:
            if item.status in PROBLEMS:
                click.echo(outcome_line(item), err=True)
    click.echo(f"Applied: {outcome.writes} write(s).")
    if outcome.exit_code:
        ctx.exit(outcome.exit_code)
