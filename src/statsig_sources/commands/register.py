"""`plan` and `apply`: register the rendered metric sources with Statsig."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from statsig_sources.errors import ExitCode, StatsigSourcesError

F = TypeVar("F", bound=Callable[..., Any])


def _command_error(message: str, exit_code: int) -> click.ClickException:
    """A ClickException that exits with our code (ClickException's own is 1)."""
    error_type = type("StatsigSourcesFailure", (click.ClickException,), {"exit_code": exit_code})
    error: click.ClickException = error_type(message)
    return error


@contextmanager
def _reported() -> Iterator[None]:
    """Our exceptions become one-line messages with their exit codes, no traceback."""
    try:
        yield
    except StatsigSourcesError as exc:
        raise _command_error(str(exc), int(exc.exit_code)) from None


def registration_options(command: F) -> F:
    """The options `plan` and `apply` share: where the desired state is, and how to reach Statsig."""
    options = [
        click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".")),
        click.option(
            "--sources-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Rendered source files (default: metric_sources/ under --project-dir).",
        ),
        click.option(
            "--marker",
            help="Ownership tag (default: managed-by:statsig-sources:<dbt project name>).",
        ),
        click.option("--api-url", envvar="STATSIG_API_URL", default="https://statsigapi.net/console/v1"),
        click.option(
            "--api-key", envvar="STATSIG_CONSOLE_API_KEY", help="Console API key (prefer the env var)."
        ),
        click.option("--page-size", type=click.IntRange(min=1), default=100, show_default=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _prepare(
    project_dir: Path,
    sources_dir: Path | None,
    marker: str | None,
    api_url: str,
    api_key: str | None,
    page_size: int,
) -> tuple[list[dict[str, Any]], str, Any]:
    from statsig_sources.desired import load_desired, read_project_name
    from statsig_sources.plan import default_marker
    from statsig_sources.statsig_api import StatsigClient

    client = StatsigClient((api_key or "").strip(), base_url=api_url, page_size=page_size)
    desired = load_desired(sources_dir or project_dir / "metric_sources")
    return desired, marker or default_marker(read_project_name(project_dir)), client


@click.command()
@registration_options
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 4 when changes are pending.")
@click.option(
    "--adopt", multiple=True, metavar="NAME", help="Plan to take over an unmarked source of this name."
)
@click.option("--force", is_flag=True, help="Allow updates that break columns live metrics use.")
def plan(
    output_format: str, detailed_exitcode: bool, adopt: tuple[str, ...], force: bool, **options: Any
) -> None:
    """Show what `apply` would change in Statsig, without writing anything.

    Example:

        STATSIG_CONSOLE_API_KEY=console-... statsig-sources plan --format markdown > plan.md
    """
    from statsig_sources.impact import guard_plan
    from statsig_sources.plan import build_plan
    from statsig_sources.plan_report import RENDERERS

    with _reported():
        desired, marker, client = _prepare(**options)
        with client:
            result = build_plan(desired, client.list_sources(), marker, set(adopt))
            result = guard_plan(result, client.list_metrics, force=force)  # usage.md: breaking updates
    click.echo(RENDERERS[output_format](result), nl=False)
    if detailed_exitcode and result.has_changes:
        sys.exit(int(ExitCode.CHANGES_PENDING))


@click.command()
@registration_options
@click.option("--prune", is_flag=True, help="Delete orphaned sources that no metric uses.")
@click.option("--adopt", multiple=True, metavar="NAME", help="Take over an unmarked source of this name.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Let Statsig validate every write, persisting nothing.")
@click.option("--force", is_flag=True, help="Allow updates that break columns live metrics use.")
def apply(prune: bool, adopt: tuple[str, ...], yes: bool, dry_run: bool, force: bool, **options: Any) -> None:
    """Create and update metric sources in Statsig so they match the rendered files.

    Shows the plan first, asks for confirmation on a terminal, writes, then reads every written
    source back. Exits 1 while any item is blocked, failed or drifted.

    Example:

        STATSIG_CONSOLE_API_KEY=console-... statsig-sources apply --yes --prune
    """
    from statsig_sources.apply import actionable, apply_plan
    from statsig_sources.impact import guard_plan
    from statsig_sources.plan import build_plan
    from statsig_sources.plan_report import render_text

    with _reported():
        desired, marker, client = _prepare(**options)
        with client:
            result = build_plan(desired, client.list_sources(), marker, set(adopt))
            result = guard_plan(result, client.list_metrics, force=force)  # usage.md: breaking updates
            click.echo(render_text(result), nl=False)
            todo = actionable(result)
            if not todo:
                return
            if not (yes or dry_run) and sys.stdin.isatty():
                click.confirm("Apply these changes to Statsig?", abort=True)
            with _progress(len(todo)) as report:
                outcome = apply_plan(result, client, prune=prune, dry_run=dry_run, on_outcome=report)
    _summarise(outcome)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Any], None]]:
    """A progress bar on a terminal; plain lines otherwise (CI logs)."""
    if sys.stdout.isatty():
        with click.progressbar(length=total, label="Applying") as bar:
            yield lambda outcome: bar.update(1)
    else:
        yield lambda outcome: click.echo(f"{outcome.status.value}: {outcome.action.value} {outcome.name}")


def _summarise(outcome: Any) -> None:
    from statsig_sources.apply import PROBLEMS

    for item in outcome.outcomes:
        if item.status in PROBLEMS:
            click.echo(f"{item.status.value}: {item.action.value} {item.name}: {item.message}", err=True)
    click.echo(f"Applied: {outcome.writes} write(s).")
    if outcome.exit_code:
        sys.exit(int(outcome.exit_code))
