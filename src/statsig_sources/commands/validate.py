"""`statsig-sources validate`."""

from __future__ import annotations

from typing import Any

import click

from statsig_sources.commands._options import (
    format_option,
    governance_options,
    manifest_options,
    run_results_option,
)
from statsig_sources.commands._project import echo_manifest_line, project_from_options


@click.command()
@manifest_options
@run_results_option
@governance_options
@format_option
@click.pass_context
def validate(ctx: click.Context, /, fmt: str, **options: Any) -> None:
    """Check every metric source in dbt's manifest and prove governance statically.

    Reads the manifest (and catalog.json and run_results.json beside it, when present), checks every
    model that declares `meta.statsig` against every rule in docs/rules.md, and lists every problem.
    Exits 1 when any rule finds an error, 0 when there are none (warnings alone do not fail).

    Example:

    \b
        dbt compile && statsig-sources validate --project-dir . --custom-unit-type companyID
    """

    # Imported here so that `statsig-sources --help` does not load sqlglot.
    from statsig_sources.rules import errors
    from statsig_sources.rules import validate as run_rules
    from statsig_sources.rules.report import validate_report

    project = project_from_options(**options)
    echo_manifest_line(project, fmt)
    violations = run_rules(project)
    click.echo(validate_report(fmt, len(project.sources), violations))
    ctx.exit(1 if errors(violations) else 0)
