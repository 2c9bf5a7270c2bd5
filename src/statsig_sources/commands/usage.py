"""`statsig-sources usage`: which Statsig metrics use each managed source, and dbt exposures of it."""

from __future__ import annotations

from dataclasses import replace
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
from statsig_sources.commands._project import admitted_project
from statsig_sources.core.errors import ExitCode

if TYPE_CHECKING:
    from statsig_sources.core.project import Project


@click.command()
@project_options(run_results=False)
@format_option
@connection_options
@click.option(
    "--write-exposures",
    "exposures_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the metrics as dbt exposures to this YAML file (under a model path).",
)
@click.option("--check", is_flag=True, help="With --write-exposures: exit 1 if the file would change.")
@click.pass_context
def usage(
    ctx: click.Context,
    /,
    fmt: str,
    connection: Connection,
    exposures_path: Path | None,
    check: bool,
    project_options: ProjectOptions,
) -> None:
    """Show which Statsig metrics (hidden ones too) use each metric source dbt manages.

    Lists, per source, the metrics that read it and the columns each uses; the sources no metric
    uses; and the "dangling" metrics whose sources dbt does not manage. With --write-exposures, also
    writes them as dbt exposures, so `dbt docs` shows the metrics downstream of each model.

    Example:

    \b
        statsig-sources usage --format markdown
        statsig-sources usage --write-exposures models/statsig_exposures.yml
        statsig-sources usage --write-exposures models/statsig_exposures.yml --check
    """
    if check and exposures_path is None:
        raise click.UsageError("--check needs --write-exposures PATH.")

    from statsig_sources.usage.exposures import exposures_yaml, read_existing
    from statsig_sources.usage.join import build_usage, managed_sources
    from statsig_sources.usage.report import RENDERERS

    with statsig_client(connection) as client:  # a bad URL or key is refused before anything is read
        project = _readable_project(ctx, fmt, project_options)
        existing = read_existing(exposures_path) if exposures_path is not None else None  # before requests
        remote_sources = client.list_sources()
        metrics = client.list_metrics()
    result = build_usage(managed_sources(project), metrics, remote_sources, project.marker)
    click.echo(RENDERERS[fmt](result), nl=False)
    if exposures_path is not None:
        _write_exposures(ctx, exposures_path, exposures_yaml(result), existing, check)


def _write_exposures(ctx: click.Context, path: Path, text: str, existing: str | None, check: bool) -> None:
    from statsig_sources.output import write_atomically

    unchanged = existing == text
    if check:
        click.echo(f"{path} is {'up to date' if unchanged else 'stale'}.", err=True)
        ctx.exit(ExitCode.OK if unchanged else ExitCode.FINDINGS)
    if not unchanged:
        write_atomically(path, text)
    click.echo(f"{'Kept' if unchanged else 'Wrote'} {path}.", err=True)


def _readable_project(ctx: click.Context, fmt: str, options: ProjectOptions) -> Project:
    """The project, checked before any request: a source the gate cannot identify refuses it with
    exit 1 (rules/gate.py); every other finding is a warning on stderr, since usage only reads Statsig."""
    from statsig_sources.rules.report import violation_line

    project, findings = admitted_project(ctx, "usage", fmt, options)
    for found in findings:
        click.echo(violation_line(replace(found, severity="warning")), err=True)
    return project
