"""`statsig-sources usage`: which Statsig metrics use each managed source, and dbt exposures of it."""

from __future__ import annotations

from dataclasses import replace
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
from statsig_sources.commands._project import admitted_project
from statsig_sources.support.errors import ExitCode

if TYPE_CHECKING:
    from statsig_sources.project import Project
    from statsig_sources.statsig.settings import ClientSettings
    from statsig_sources.usage.join import Usage
    from statsig_sources.usage.prune import Gone


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
@click.option(
    "--prune-exposures",
    "prune_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Only remove from this exposures file every exposure on a model gone from the project's "
    "files; reads no manifest and asks Statsig nothing, so it runs when `dbt parse` fails.",
)
@click.option(
    "--check",
    is_flag=True,
    help="With --write-exposures or --prune-exposures: exit 1 if the file would change, and leave it.",
)
@click.pass_context
def usage(
    ctx: click.Context,
    /,
    fmt: str,
    connection: ClientSettings,
    exposures_path: Path | None,
    prune_path: Path | None,
    check: bool,
    project_options: ProjectOptions,
) -> None:
    """Show which Statsig metrics (hidden ones too) use each metric source dbt manages.

    Lists, per source, the metrics that read it and the columns each uses; the sources no metric
    uses; and the "dangling" metrics whose sources dbt does not manage. With --write-exposures, also
    writes them as dbt exposures, so `dbt docs` shows the metrics downstream of each model; an
    exposure on a model gone from the project's files is left out. With --prune-exposures, only
    removes the exposures on models gone from the project's files from an exposures file, so that
    `dbt parse` passes again after a model is renamed or deleted (docs/usage.md).

    Example:

    \b
        statsig-sources usage --format markdown
        statsig-sources usage --write-exposures models/statsig_exposures.yml
        statsig-sources usage --write-exposures models/statsig_exposures.yml --check
        statsig-sources usage --prune-exposures models/statsig_exposures.yml
    """
    if exposures_path is not None and prune_path is not None:
        raise click.UsageError("--prune-exposures runs alone: pass it without --write-exposures.")
    if check and exposures_path is None and prune_path is None:
        raise click.UsageError("--check needs --write-exposures PATH or --prune-exposures PATH.")
    if prune_path is not None:
        _prune_exposures(ctx, prune_path, project_options.project_dir, fmt, check)
        return

    _report_usage(ctx, fmt, connection, exposures_path, check, project_options)


def _report_usage(
    ctx: click.Context,
    fmt: str,
    connection: ClientSettings,
    exposures_path: Path | None,
    check: bool,
    project_options: ProjectOptions,
) -> None:
    """Join Statsig's metrics with the project's sources, print it, and write (or check) exposures."""
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
        written = _on_present_models(result, project_options.project_dir)
        _write_exposures(ctx, exposures_path, exposures_yaml(written), existing, check)


def _on_present_models(result: Usage, project_dir: Path) -> Usage:
    """The usage less the exposures on models gone from the project's files, each left out said on
    stderr; as it is when `--project-dir` holds no dbt project to compare with (a manifest alone)."""
    from statsig_sources.artifacts.model_files import read_model_files
    from statsig_sources.support.errors import InputError
    from statsig_sources.usage.prune import without_gone_models

    try:
        models = read_model_files(project_dir)
    except InputError:
        return result
    kept, left_out = without_gone_models(result, models)
    for gone in left_out:
        click.echo(f"Left out exposure {_gone_line(gone)}", err=True)
    return kept


def _prune_exposures(ctx: click.Context, path: Path, project_dir: Path, fmt: str, check: bool) -> None:
    """Remove from `path` the exposures on models gone from the project's files (or, with `check`,
    exit 1 when there are any); no manifest, no key, no request."""
    from statsig_sources.artifacts.model_files import read_model_files
    from statsig_sources.support.errors import InputError
    from statsig_sources.support.output import to_json, write_atomically
    from statsig_sources.usage.exposures import read_existing
    from statsig_sources.usage.prune import prune_exposures

    models = read_model_files(project_dir)
    text = read_existing(path)
    if text is None:
        raise InputError(f"no exposures file at {path} (--prune-exposures)")
    pruned = prune_exposures(path, text, models)
    if pruned.gone and not check:
        write_atomically(path, pruned.text)
    if fmt == "json":
        removed = [{"name": g.name, "metric_id": g.metric_id, "models": list(g.models)} for g in pruned.gone]
        click.echo(
            to_json({"command": "usage", "prune_exposures": str(path), "check": check, "removed": removed})
        )
    else:
        click.echo(_pruned_report(path, pruned.gone, check), nl=False)
    ctx.exit(ExitCode.FINDINGS if check and pruned.gone else ExitCode.OK)


def _pruned_report(path: Path, gone: tuple[Gone, ...], check: bool) -> str:
    if not gone:
        return f"{path}: every exposure depends on models the project's files define; nothing to remove.\n"
    verb = "would remove" if check else "removed"
    lines = [f"{path}: {verb} {len(gone)} exposure(s) on models gone from the project's files:"]
    lines += [f"  {_gone_line(item)}" for item in gone]
    return "\n".join(lines) + "\n"


def _gone_line(gone: Gone) -> str:
    metric = f" (metric {gone.metric_id})" if gone.metric_id else ""
    return f"{gone.name}{metric}: depends on {', '.join(gone.models)}, gone from the project's files"


def _write_exposures(ctx: click.Context, path: Path, text: str, existing: str | None, check: bool) -> None:
    from statsig_sources.support.output import write_atomically

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
