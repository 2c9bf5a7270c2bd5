"""`statsig-sources render`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from statsig_sources.commands._options import (
    format_option,
    governance_options,
    manifest_options,
    manifest_path,
    settings,
)
from statsig_sources.project import DEFAULT_OWNERSHIP_TAG


@click.command()
@manifest_options
@governance_options
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("metric_sources"),
    show_default=True,
    help="Where the files go, relative to --project-dir.",
)
@click.option(
    "--ownership-tag",
    default=DEFAULT_OWNERSHIP_TAG,
    show_default=True,
    help="The tag that marks a Statsig source as managed by this project; added to every payload.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if any file is missing, stale or orphaned."
)
@format_option
@click.pass_context
def render(
    ctx: click.Context,
    project_dir: Path,
    target_path: str,
    manifest_path_option: Path | None,
    statsig_schema: str,
    statsig_roles: tuple[str, ...],
    custom_unit_types: tuple[str, ...],
    output_dir: Path,
    ownership_tag: str,
    check: bool,
    fmt: str,
) -> None:
    """Write metric_sources/<name>.yml, one Statsig payload per metric source.

    Validates first and writes nothing when any source is invalid. Files use the Statsig Console
    API's field names; a file whose source left dbt is removed. With --check nothing is written:
    the command exits 1 and lists every file that is missing, stale or orphaned.

    Example:

    \b
        statsig-sources render --project-dir .
        statsig-sources render --check --format markdown
    """

    # Imported here so that `statsig-sources --help` does not load sqlglot or PyYAML.
    from statsig_sources.payloads import build_payloads
    from statsig_sources.project import load_project
    from statsig_sources.render import diff_output, render_files, write_output
    from statsig_sources.report import refused_report, render_report
    from statsig_sources.rules import errors
    from statsig_sources.rules import validate as run_rules

    project = load_project(
        manifest_path(project_dir, target_path, manifest_path_option),
        replace(settings(statsig_schema, statsig_roles, custom_unit_types), ownership_tag=ownership_tag),
    )
    violations = run_rules(project)
    if errors(violations):
        click.echo(refused_report(fmt, len(project.sources), violations))
        ctx.exit(1)
    files = render_files(build_payloads(project))
    directory = output_dir if output_dir.is_absolute() else project_dir / output_dir
    diff = diff_output(directory, files)
    if not check:
        write_output(directory, files, diff)
    shown = output_dir.as_posix().rstrip("/")
    click.echo(render_report(fmt, check=check, output_dir=shown, diff=diff, violations=violations))
    ctx.exit(1 if check and not diff.clean else 0)
