"""`statsig-sources render`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from statsig_sources.commands._options import ProjectOptions, format_option, project_options
from statsig_sources.commands._project import admitted_project
from statsig_sources.support.errors import ExitCode, RefusedError

if TYPE_CHECKING:
    from statsig_sources.project import Project


@click.command()
@project_options()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("metric_sources"),
    show_default=True,
    help="Where the files go, relative to --project-dir.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if any file is missing, stale or orphaned."
)
@click.option(
    "--allow-non-production",
    is_flag=True,
    envvar="STATSIG_SOURCES_ALLOW_NON_PRODUCTION",
    help="Read a manifest whose sources are built outside the production governed schema (a "
    "development target's); env STATSIG_SOURCES_ALLOW_NON_PRODUCTION.",
)
@format_option
@click.pass_context
def render(
    ctx: click.Context,
    /,
    output_dir: Path,
    check: bool,
    allow_non_production: bool,
    fmt: str,
    project_options: ProjectOptions,
) -> None:
    """Write metric_sources/<name>.yml, one Statsig payload per metric source, and
    metric_sources/metrics/<slug>.yml, one per metric declared in dbt.

    Validates first and writes nothing when any source is invalid. Reads a production target's
    manifest: one whose sources are built in a development copy of the governed schema is refused
    (exit 1, nothing written) with the command that writes the right one; --allow-non-production
    reads it anyway. Files use the Statsig Console API's field names and carry the ownership
    marker; a file whose source or metric left dbt is removed. With --check nothing is written: the
    command exits 1 and lists every file that is missing, stale or orphaned.

    Example:

    \b
        dbt parse --target prod && statsig-sources render --project-dir .
        statsig-sources render --check --format markdown
    """

    # Imported here so that `statsig-sources --help` does not load sqlglot or PyYAML.
    from statsig_sources.registration.files import render_project
    from statsig_sources.registration.report import render_report

    project, violations = admitted_project(ctx, "render", fmt, project_options)
    if not allow_non_production:
        _refuse_a_development_manifest(project, check, fmt)
    directory = output_dir if output_dir.is_absolute() else project_options.project_dir / output_dir
    diff = render_project(project, directory, check=check)
    shown = output_dir.as_posix().rstrip("/")
    click.echo(render_report(fmt, check=check, output_dir=shown, diff=diff, violations=violations))
    ctx.exit(ExitCode.FINDINGS if check and not diff.clean else ExitCode.OK)


def _refuse_a_development_manifest(project: Project, check: bool, fmt: str) -> None:
    """Exit 1 before anything is written when the sources are built outside the production governed
    schema: the files would carry a developer's schema into the repository and into Statsig."""
    from statsig_sources.rules.governance import render_refusal
    from statsig_sources.support.output import to_json

    refusal = render_refusal(project, check)
    if refusal is None:
        return
    if fmt == "json":
        click.echo(
            to_json({"command": "render", "check": check, "ok": False, "refused": True, "error": refusal})
        )
    raise RefusedError(refusal + ".")
