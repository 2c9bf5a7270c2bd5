"""`statsig-sources validate`."""

from __future__ import annotations

import click

from statsig_sources.commands._options import ProjectOptions, format_option, project_options
from statsig_sources.commands._project import echo_manifest_line, manifest_fields, project_from_options
from statsig_sources.support.errors import ExitCode


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

    # Imported here so that `statsig-sources --help` does not load sqlglot.
    from statsig_sources.commands._notices import said_once
    from statsig_sources.rules import errors
    from statsig_sources.rules import validate as run_rules
    from statsig_sources.rules.report import validate_report

    project = project_from_options(project_options)
    echo_manifest_line(project, fmt)
    violations = said_once(project, run_rules(project), always=True)  # every finding, remembered
    click.echo(validate_report(fmt, len(project.sources), violations, manifest_fields(project)))
    ctx.exit(ExitCode.FINDINGS if errors(violations) else ExitCode.OK)
