"""`statsig-sources usage`: which Statsig metrics use each managed source, and dbt exposures of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from statsig_sources.commands._options import (
    connection_options,
    format_option,
    governance_options,
    manifest_options,
    marker_option,
    statsig_client,
)
from statsig_sources.commands._project import echo_manifest_line, project_from_options


@click.command()
@manifest_options
@governance_options
@format_option
@connection_options
@marker_option
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
    api_url: str,
    api_key: str | None,
    page_size: int,
    exposures_path: Path | None,
    check: bool,
    **options: Any,
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

    from statsig_sources.exposures import exposures_yaml, read_existing, write_atomically
    from statsig_sources.usage import build_usage, managed_sources
    from statsig_sources.usage_report import RENDERERS

    project = project_from_options(**options)
    with statsig_client(api_url, api_key, page_size) as client:
        echo_manifest_line(project, fmt)
        remote_sources = client.list_sources()
        metrics = client.list_metrics()
    result = build_usage(managed_sources(project), metrics, remote_sources, project.marker)
    click.echo(RENDERERS[fmt](result), nl=False)
    if exposures_path is None:
        return
    text = exposures_yaml(result)
    unchanged = read_existing(exposures_path) == text
    if check:
        click.echo(f"{exposures_path} is {'up to date' if unchanged else 'stale'}.", err=True)
        ctx.exit(0 if unchanged else 1)
    if not unchanged:
        write_atomically(exposures_path, text)
    click.echo(f"{'Kept' if unchanged else 'Wrote'} {exposures_path}.", err=True)
