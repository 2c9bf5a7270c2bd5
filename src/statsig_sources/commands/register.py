"""`plan` and `apply`: register the metric sources in dbt's manifest with Statsig.

The desired state is `build_payloads(project)`, exactly what `render` writes, from a project that
`validate`'s rules pass; both commands plan alike (_planning.py). `plan --out` saves a plan and
`apply --plan` applies exactly it, or refuses (_saved_plans.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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
from statsig_sources.commands._planning import PlanRequest, make_plan
from statsig_sources.core.errors import ExitCode

if TYPE_CHECKING:
    from statsig_sources.registration.apply import ApplyResult, Outcome


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
@click.option("--force", is_flag=True, help="Allow updates that break columns live metrics use.")
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
    connection: Connection,
    project_options: ProjectOptions,
) -> None:
    """Show what `apply` would change in Statsig's metric sources and metrics, without writing anything.

    Validates the manifest first and sends no request when any source is invalid. The desired state
    is exactly what `render` writes: every source, and every metric declared in dbt. Exits 1 when any
    item is blocked (a name held by a source or metric without the marker, an update that breaks a
    live metric), with or without --detailed-exitcode. With --out, the plan is also saved, with a
    fingerprint of everything it read, for `apply --plan` (docs/registration.md#saved-plans).

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources plan --format markdown > plan.md
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources plan --out statsig-plan.json
    """
    from statsig_sources.commands._project import manifest_line
    from statsig_sources.commands._saved_plans import save_plan
    from statsig_sources.registration.plan import Action
    from statsig_sources.registration.report import RENDERERS, render_markdown

    with statsig_client(connection) as client:
        request = PlanRequest("plan", fmt, project_options, adopt, force, take_over=take_over)
        project, planned = make_plan(ctx, request, client)
    result = planned.plan
    if out_path is not None:
        save_plan(out_path, planned)
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
@click.option("--force", is_flag=True, help="Allow updates that break columns live metrics use.")
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
    prune: bool,
    adopt: tuple[str, ...],
    take_over: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    force: bool,
    allow_non_production: bool,
    plan_path: Path | None,
    connection: Connection,
    project_options: ProjectOptions,
) -> None:
    """Create and update metric sources and metrics in Statsig so they match dbt's manifest.

    Validates first (no request when any source is invalid, or when the sources are built outside
    the production governed schema, unless --allow-non-production), shows the plan, asks for
    confirmation on a terminal, writes (sources before the metrics that read them, metrics pruned
    before their sources), then reads everything written back. Exits 1 while any item is blocked,
    failed or drifted. With --plan, applies exactly a saved plan after the same checks, and refuses
    (exit 1, nothing written) when Statsig or the project no longer match it.

    Example:

    \b
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources apply --yes --prune
        STATSIG_CONSOLE_API_KEY=console-... statsig-sources apply --yes --plan statsig-plan.json
    """
    from statsig_sources.client.deadlines import allow_writes
    from statsig_sources.commands._saved_plans import approved_plan, read_saved_plan
    from statsig_sources.registration.apply import actionable, apply_plan, planned_writes
    from statsig_sources.registration.report import render_text

    request = PlanRequest("apply", "text", project_options, adopt, force, allow_non_production, take_over)
    saved = read_saved_plan(plan_path, request)  # read, or refused, before any request
    with statsig_client(connection) as client:
        if saved is None:
            result = make_plan(ctx, request, client)[1].plan
        else:
            result = approved_plan(saved, request, lambda asked: make_plan(ctx, asked, client)[1])
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
