"""The validated project every writing command starts from: loaded once, checked by validate's rules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from statsig_sources.commands._options import manifest_path, settings

if TYPE_CHECKING:
    from statsig_sources.project import Project, Violation


def project_from_options(
    *,
    project_dir: Path,
    target_path: str,
    manifest_path_option: Path | None,
    statsig_schema: str | None,
    statsig_roles: tuple[str, ...],
    custom_unit_types: tuple[str, ...],
    marker: str | None = None,
    run_results_path: Path | None = None,
) -> Project:
    """The project as the manifest and governance options describe it."""
    from statsig_sources.project import load_project

    return load_project(
        manifest_path(project_dir, target_path, manifest_path_option),
        settings(statsig_schema, statsig_roles, custom_unit_types, marker),
        run_results_path,
    )


def echo_manifest_line(project: Project, fmt: str) -> None:
    """Text output starts by saying which manifest it read (JSON prints nothing but JSON)."""
    from statsig_sources.report import manifest_line

    if fmt == "text":
        click.echo(manifest_line(project))


def checked_project(
    ctx: click.Context, command: str, fmt: str, **options: Any
) -> tuple[Project, list[Violation]]:
    """The project and its warnings; on any error, every problem is listed and the command exits 1.

    `render`, `plan` and `apply` act only on a project `validate` would pass, so what reaches Statsig
    is exactly what `render` writes.
    """
    # Imported here so that `statsig-sources --help` does not load sqlglot.
    from statsig_sources.report import refused_report
    from statsig_sources.rules import errors
    from statsig_sources.rules import validate as run_rules

    project = project_from_options(**options)
    echo_manifest_line(project, fmt)
    violations = run_rules(project)
    if errors(violations):
        click.echo(refused_report(fmt, command, len(project.sources), violations))
        ctx.exit(1)
    return project, list(violations)
