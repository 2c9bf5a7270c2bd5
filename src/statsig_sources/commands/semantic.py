"""`statsig-sources import-semantic-layer`."""

from __future__ import annotations

from pathlib import Path

import click

from statsig_sources.commands._options import ProjectOptions, format_option, manifest_options
from statsig_sources.support.errors import ExitCode


@click.command("import-semantic-layer")
@manifest_options
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("models/statsig_semantic"),
    show_default=True,
    help="The folder of generated models, relative to --project-dir.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if any generated file is missing, stale or orphaned."
)
@click.option(
    "--strict", is_flag=True, help="Exit 1, writing nothing, when any semantic model or metric is skipped."
)
@click.option("--force", is_flag=True, help="Overwrite or delete generated files edited by hand.")
@format_option
@click.pass_context
def import_semantic_layer(
    ctx: click.Context,
    /,
    out_dir: Path,
    check: bool,
    strict: bool,
    force: bool,
    fmt: str,
    project_options: ProjectOptions,
) -> None:
    """Import the dbt Semantic Layer (semantic models and metrics) as metric-source models declaring
    Statsig metrics, in --out-dir: per semantic model, statsig_<name>.sql and statsig_<name>.yml.

    Reads the manifest (`dbt parse` writes it) and the var statsig_entity_unit_types in the
    project's dbt_project.yml (entity -> Statsig unit type). A semantic model with no mapped entity
    or no aggregation time dimension is skipped, as is every metric this import cannot express, each
    with its reason; some are imported with a stated loss (approximated). Generated files carry a
    hash: one edited by hand is left alone (exit 1) unless --force. A generated file whose semantic
    model left the Semantic Layer is deleted. Exit codes: 0 done (skips and approximations
    included), 1 a file left alone, --check found changes, or --strict met a skip, 2 an input error
    (manifest, dbt_project.yml or the var).

    Example:

    \b
        dbt parse && statsig-sources import-semantic-layer --project-dir .
        statsig-sources import-semantic-layer --check --strict --format markdown
    """
    # Imported here so that `statsig-sources --help` does not load PyYAML.
    from statsig_sources.semantic.report import import_report
    from statsig_sources.semantic.run import import_semantic_layer as run_import

    project_dir = project_options.project_dir
    directory = out_dir if out_dir.is_absolute() else project_dir / out_dir
    result = run_import(
        project_options.manifest_path, project_dir, directory, check=check, strict=strict, force=force
    )
    click.echo(import_report(fmt, result, out_dir.as_posix().rstrip("/")))
    ctx.exit(ExitCode.FINDINGS if result.failed else ExitCode.OK)
