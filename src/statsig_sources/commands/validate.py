"""`statsig-sources validate`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from statsig_sources.commands._options import ProjectOptions, format_option, project_options
from statsig_sources.commands._project import manifest_fields, manifest_line, project_from_options
from statsig_sources.support.errors import ExitCode

if TYPE_CHECKING:
    from statsig_sources.artifacts.paths import Contents
    from statsig_sources.commands._remembered import Report


@click.command()
@project_options()
@format_option
@click.pass_context
def validate(ctx: click.Context, /, fmt: str, project_options: ProjectOptions) -> None:
    """Check every metric source in dbt's manifest and prove governance statically.

    Reads the manifest (and catalog.json and run_results.json beside it, when present), checks every
    model that declares `meta.statsig` against every rule in docs/rules.md, and lists every problem.
    Exits 1 when any rule finds an error, 0 when there are none (warnings alone do not fail).

    Example:

    \b
        dbt compile --target prod && statsig-sources validate
    """

    from statsig_sources.artifacts.paths import read_contents
    from statsig_sources.commands._remembered import (
        Inputs,
        artifacts_digest,
        can_remember,
        remember_report,
        remembered_report,
        report_key,
    )

    paths, inputs = project_options.artifact_paths, Inputs("validate", (fmt, project_options))
    contents = read_contents(paths)
    artifacts = artifacts_digest(contents, paths) if can_remember(paths) else None
    report = remembered_report(paths, report_key(inputs, artifacts, paths)) if artifacts else None
    if report is None:
        report = _validated(fmt, project_options, contents)
        if artifacts:  # under the inputs as this run leaves them (it may have remembered SQL answers)
            remember_report(paths, report_key(inputs, artifacts, paths), report)
    report.show()
    ctx.exit(report.exit_code)


def _validated(fmt: str, project_options: ProjectOptions, contents: Contents) -> Report:
    """Run every rule; what validate prints, and its exit code."""
    # Imported here so that `statsig-sources --help` does not load sqlglot.
    from statsig_sources.commands._notices import said_once
    from statsig_sources.commands._remembered import Report
    from statsig_sources.rules import errors
    from statsig_sources.rules import validate as run_rules
    from statsig_sources.rules.report import validate_report

    report = Report()
    project = project_from_options(project_options, report.echo, contents)
    if fmt == "text":
        report.echo(manifest_line(project))
    violations = said_once(project, run_rules(project), always=True)  # every finding, remembered
    report.echo(validate_report(fmt, len(project.sources), violations, manifest_fields(project)))
    report.exit_code = ExitCode.FINDINGS if errors(violations) else ExitCode.OK
    return report
