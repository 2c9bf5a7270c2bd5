"""The validated project every writing command starts from: loaded once, checked by validate's rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import click

from statsig_sources.artifacts.run_results import parse_timestamp
from statsig_sources.commands._options import ProjectOptions
from statsig_sources.declaration.settings import recorded_by_package
from statsig_sources.support.errors import ExitCode

if TYPE_CHECKING:
    from statsig_sources.artifacts.paths import Contents
    from statsig_sources.project import Project
    from statsig_sources.rules.violations import Violation


def project_from_options(
    options: ProjectOptions, echo: Callable[..., None] = click.echo, contents: Contents | None = None
) -> Project:
    """The project as the manifest and the options describe it (from `contents` when the artifacts'
    bytes were read already), refused (exit 2) when another release of the package wrote the manifest.
    Notices about the manifest go to `echo`'s stderr."""
    from statsig_sources.artifacts.read import read_artifacts
    from statsig_sources.declaration.releases import check_release
    from statsig_sources.project import build_project

    paths = options.artifact_paths
    project = build_project(read_artifacts(paths, contents), options.settings)
    check_release(paths.manifest, _records(project), options.project_dir)
    for notice in project.manifest.notices:  # on stderr: `--format json` prints nothing but JSON
        echo(notice, err=True)
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
    A notice about the manifest that a command already said for it is not among the warnings
    (_notices.py).
    """
    # Imported here so that `statsig-sources --help` does not load sqlglot.
    from statsig_sources.commands._notices import said_once
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
    if not warn:
        return project, []
    return project, said_once(project, [found for found in violations if found not in refused])


def _records(project: Project) -> list[Mapping[str, Any]]:
    return [recorded_by_package(source.model) for source in project.sources]


def manifest_fields(project: Project) -> dict[str, Any]:
    """What `manifest_line` says, as fields for a JSON report (null where it is not known)."""
    from statsig_sources import __version__
    from statsig_sources.declaration.releases import recorded_version

    manifest = project.manifest
    results = project.invocation_results
    return {
        "path": str(project.artifacts.paths.manifest),
        "dbt_project": manifest.project_name or None,
        "adapter": manifest.adapter_type or None,
        "generated_at": manifest.generated_at or None,
        "target": (results.target or None) if results is not None else None,
        "statsig_sources_version": __version__,
        "package_version": recorded_version(_records(project)) or None,
    }


def manifest_line(project: Project) -> str:
    """Which manifest a command read: its dbt project, adapter, when it was generated, and the target
    when the run results of the same dbt invocation name it (the manifest itself does not); then the
    release of statsig-sources reading it (declaration/releases.py)."""
    from statsig_sources.declaration.releases import recorded_version, release_line

    manifest = project.manifest
    moment = parse_timestamp(manifest.generated_at)
    when = moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "at an unknown time"
    results = project.invocation_results
    target = f", target {results.target}" if results is not None and results.target else ""
    return (
        f"Read {project.artifacts.paths.manifest}: dbt project {manifest.project_name or '(unnamed)'}, "
        "adapter "
        f"{manifest.adapter_type or '(unknown)'}, generated {when}{target}; "
        f"{release_line(recorded_version(_records(project)))}."
    )
