"""`plan` and `apply`: register the metric sources in dbt's manifest with Statsig.

The desired state is `build_payloads(project)`, exactly what `render` writes, from a project that
`validate`'s rules pass; both commands plan alike (_planning.py). `plan --out` saves a plan and
`apply --plan` applies exactly it, or refuses (_saved_plans.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from statsig_sources.commands._options import (
    ProjectOptions,
    connection_options,
    format_option,
    project_options,
    statsig_client,
)
from statsig_sources.commands._planning import PlanRequest, make_plan
from statsig_sources.support.errors import ExitCode

if TYPE_CHECKING:
    from statsig_sources.project import Project
    from statsig_sources.registration.apply import ApplyResult, Outcome
    from statsig_sources.registration.plan import Plan
    from statsig_sources.statsig.api import StatsigClient
    from statsig_sources.statsig.settings import ClientSettings


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
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan to this file, for `apply --plan` to apply exactly (it holds no key).",
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
    out_path: Path | None,
    connection: ClientSettings,
    project_options: ProjectOptions,
) -> None:
    """Show what `apply` would change in Statsig's metric sources and metrics, without writing anything.

    Validates the manifest first and sends no request when any source is invalid. The desired state
    is exactly what `render` writes: every source, and every metric declared in dbt. Exits 1 when any
    item is blocked (a name held by a source or metric without the marker, an update that breaks a
    live metric, a source removed from dbt while metrics read it), with or without --detailed-exitcode.
    With --out, the plan is also saved, with a
    fingerprint of everything it read, for `apply --plan` (docs/registration.md#saved-plans).

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources plan --format markdown > plan.md
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources plan --out statsig-plan.json
    """
    from statsig_sources.commands._saved_plans import save_plan

    with statsig_client(connection) as client:
        request = PlanRequest("plan", fmt, project_options, adopt, force, take_over=take_over)
        project, planned = make_plan(ctx, request, client)
    if out_path is not None:
        save_plan(out_path, planned)
    _report_plan(ctx, fmt, project, planned.plan, detailed_exitcode=detailed_exitcode)


def _report_plan(
    ctx: click.Context, fmt: str, project: Project, result: Plan, *, detailed_exitcode: bool
) -> None:
    """The plan in `fmt`; exit 1 when an item is blocked, else 4 with --detailed-exitcode and changes."""
    from statsig_sources.commands._project import manifest_line
    from statsig_sources.registration.plan_items import Action
    from statsig_sources.registration.report import RENDERERS, blocked_lines, render_markdown

    if fmt == "markdown":
        click.echo(render_markdown(result, read=manifest_line(project)), nl=False)
    else:
        click.echo(RENDERERS[fmt](result), nl=False)
    blocked = result.of(Action.BLOCKED)
    if blocked:
        if fmt == "json":  # the report is the JSON; a CI log still gets a line saying why
            click.echo("\n".join(blocked_lines(blocked)), err=True)
        ctx.exit(ExitCode.FINDINGS)  # a blocked item fails CI, whatever else is pending
    if detailed_exitcode and result.has_changes:
        ctx.exit(ExitCode.CHANGES_PENDING)


@click.command()
@project_options()
@connection_options
@format_option
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
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Apply exactly this plan (`plan --out`), or refuse when Statsig or the project changed since; "
    "its --adopt, --take-over and --force are the plan's.",
)
@click.pass_context
def apply(
    ctx: click.Context,
    /,
    fmt: str,
    prune: bool,
    adopt: tuple[str, ...],
    take_over: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    force: bool,
    allow_non_production: bool,
    plan_path: Path | None,
    connection: ClientSettings,
    project_options: ProjectOptions,
) -> None:
    """Create and update metric sources and metrics in Statsig so they match dbt's manifest.

    Validates first (no request when any source is invalid, or when the sources are built outside
    the production governed schema, unless --allow-non-production), shows the plan, asks for
    confirmation on a terminal, writes (sources before the metrics that read them, metrics pruned
    before their sources), then reads everything written back. Exits 1 while any item is blocked,
    failed or drifted (Statsig holds a field otherwise than it was sent: each such field is shown).
    With --plan, applies exactly a saved plan after the same checks, and refuses
    (exit 1, nothing written) when Statsig or the project no longer match it.

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources apply --yes --prune
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources apply --yes --plan statsig-plan.json
        statsig-sources apply --yes --format json > applied.json
    """
    request = PlanRequest("apply", fmt, project_options, adopt, force, allow_non_production, take_over)
    how = Asked(fmt, prune, dry_run, yes, connection.command_timeout is None)
    _apply(ctx, request, plan_path, connection, how)


def _apply(
    ctx: click.Context, request: PlanRequest, plan_path: Path | None, connection: ClientSettings, how: Asked
) -> None:
    """Plan (or read the saved plan, refused before any request), carry it out, summarise."""
    from statsig_sources.commands._saved_plans import approved_plan, read_saved_plan

    saved = read_saved_plan(plan_path, request)  # read, or refused, before any request
    with statsig_client(connection) as client:
        if saved is None:
            project, planned = make_plan(ctx, request, client)
            result = planned.plan
        else:
            project, result = approved_plan(saved, request, lambda asked: make_plan(ctx, asked, client))
        done = _carry_out(result, client, how)
    if done is not None:
        outcome, streamed = done
        _summarise(ctx, how.fmt, Applied(project, result, outcome, how.dry_run), streamed=streamed)


@dataclass(frozen=True)
class Asked:
    """How `apply` was asked to carry out its plan."""

    fmt: str
    prune: bool
    dry_run: bool
    yes: bool
    unbounded: bool  # no --command-timeout: the deadline grows to fit the writes


def _carry_out(result: Plan, client: StatsigClient, how: Asked) -> tuple[ApplyResult, bool] | None:
    """Show the plan, confirm on a terminal, write with progress; what was done, and whether its lines
    were streamed. None when a text report has nothing to apply (the plan said it all)."""
    from statsig_sources.registration.apply import ApplyResult, actionable, apply_plan, planned_writes
    from statsig_sources.registration.report import render_text
    from statsig_sources.statsig.deadlines import allow_writes

    fmt = how.fmt
    if fmt == "text":
        click.echo(render_text(result), nl=False)
    todo = actionable(result)
    if not todo:
        return None if fmt == "text" else (ApplyResult(()), False)
    allow_writes(client.deadline, client.throttle.floor(planned_writes(todo)), how.unbounded)
    if not (how.yes or how.dry_run) and sys.stdin.isatty():
        if fmt != "text":  # the report comes at the end: show what is confirmed, beside it
            click.echo(render_text(result), nl=False, err=True)
        click.confirm("Apply these changes to Statsig?", abort=True, err=fmt != "text")
    with _progress(len(todo), fmt) as (report, streamed):
        outcome = apply_plan(result, client, prune=how.prune, dry_run=how.dry_run, on_outcome=report)
    return outcome, streamed


@dataclass(frozen=True)
class Applied:
    """What `apply` planned and did."""

    project: Project
    plan: Plan
    result: ApplyResult
    dry_run: bool


@contextmanager
def _progress(total: int, fmt: str) -> Iterator[tuple[Callable[[Outcome], None], bool]]:
    """A progress bar on a terminal (on stderr for a JSON or markdown report); in a CI log, a text
    report's line per source or metric as it is written (`streamed`)."""
    from statsig_sources.registration.apply_report import outcome_line

    stream = sys.stdout if fmt == "text" else sys.stderr
    if stream.isatty():
        with click.progressbar(length=total, label="Applying", file=stream) as bar:
            yield (lambda outcome: bar.update(1)), False
    elif fmt == "text":
        yield (lambda outcome: click.echo(outcome_line(outcome))), True
    else:
        yield (lambda outcome: None), False


def _summarise(ctx: click.Context, fmt: str, applied: Applied, *, streamed: bool) -> None:
    """Each problem once, with the fields a read-back found different: after a progress bar, every
    problem (on stderr); in a CI log, whose lines said `done` before reading back, each drifted item
    again. Then the result, which says why when the run exits 1."""
    from statsig_sources.commands._project import manifest_line
    from statsig_sources.registration.apply import PROBLEMS, Status
    from statsig_sources.registration.apply_report import (
        problem_lines,
        render_apply_json,
        render_apply_markdown,
        summary_line,
    )

    result = applied.result
    if fmt == "json":
        click.echo(render_apply_json(applied.plan, result, dry_run=applied.dry_run), nl=False)
        for item in result.outcomes:  # the report is the JSON; a CI log still gets the lines saying why
            if item.status in PROBLEMS:
                click.echo("\n".join(problem_lines(item)), err=True)
    elif fmt == "markdown":
        click.echo(render_apply_markdown(applied.plan, result, manifest_line(applied.project)), nl=False)
    else:
        for item in result.outcomes:
            if item.status is Status.DRIFTED if streamed else item.status in PROBLEMS:
                click.echo("\n".join(problem_lines(item)), err=not streamed)
        click.echo(summary_line(result))
    if result.exit_code:
        ctx.exit(result.exit_code)
