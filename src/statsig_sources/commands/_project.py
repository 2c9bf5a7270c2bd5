"""The validated project every writing command starts from: loaded once, checked by validate's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from statsig_sources.commands._options import ProjectOptions
from statsig_sources.core.errors import ExitCode
from statsig_sources.core.run_results import parse_timestamp

if TYPE_CHECKING:
    from statsig_sources.core.project import Project
    from statsig_sources.rules.violations import Violation


def project_from_options(options: ProjectOptions) -> Project:
    """The project as the manifest and the options describe it."""
    from statsig_sources.core.project import load_project

    project = load_project(options.manifest_path, options.settings, options.run_results)
    for notice in project.manifest.notices:  # on stderr: `--format json` prints nothing but JSON
        click.echo(notice, err=True)
    return project


def echo_manifest_line(project: Project, fmt: str) -> None:
    """Text output starts by saying which manifest it read (JSON prints nothing but JSON)."""
    if fmt == "text":
        click.echo(manifest_line(project))


def admitted_project(
    ctx: click.Context, command: str, fmt: str, options: ProjectOptions, *, warn: bool = True
) -> tuple[Project, list[Violation]]:
    """The project `command` may act on, and the findings it goes on despite; refused before any
    request or file is written (every refusing problem listed, exit 1) as the gate says
    (rules/gate.py): `render`, `plan` and `apply` on any error `validate` finds, `usage` and `reload`
    on a declaration that is unusable or a source name that is unknown or declared twice.

    With `warn` false, a reader runs only the gate's checks (no SQL is read) and returns no findings.
    """
    # Imported here so that `statsig-sources --help` does not load sqlglot.
    from statsig_sources.rules import validate as run_rules
    from statsig_sources.rules.gate import READERS, refusals, unidentified
    from statsig_sources.rules.report import refused_report

    project = project_from_options(options)
    echo_manifest_line(project, fmt)
    violations = run_rules(project) if warn or command not in READERS else unidentified(project)
    refused = refusals(command, project, violations)
    if refused:
        click.echo(refused_report(fmt, command, len(project.sources), refused))
        ctx.exit(ExitCode.FINDINGS)
    return project, [found for found in violations if found not in refused] if warn else []


def manifest_line(project: Project) -> str:
    """Which manifest a command read: its dbt project, adapter, when it was generated, and the target
    when the run results of the same dbt invocation name it (the manifest itself does not)."""
    manifest = project.manifest
    moment = parse_timestamp(manifest.generated_at)
    when = moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "at an unknown time"
    results = project.invocation_results
    target = f", target {results.target}" if results is not None and results.target else ""
    return (
        f"Read {project.manifest_path}: dbt project {manifest.project_name or '(unnamed)'}, adapter "
        f"{manifest.adapter_type or '(unknown)'}, generated {when}{target}."
    )
