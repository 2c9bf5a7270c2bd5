"""`statsig-sources audit`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from statsig_sources.commands._options import ProjectOptions, project_options
from statsig_sources.commands._project import manifest_line, project_from_options
from statsig_sources.support.errors import ExitCode
from statsig_sources.support.output import to_json as json_report

if TYPE_CHECKING:
    from statsig_sources.audit.run import AuditResult
    from statsig_sources.project import Project


@click.command()
@project_options(run_results=False, marker=False)
@click.option("--target", help="A postgres target of the project's dbt profile to connect with.")
@click.option(
    "--profiles-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where profiles.yml is (default: --project-dir, then ~/.dbt).",
)
@click.option(
    "--dsn",
    envvar="STATSIG_AUDIT_DSN",
    help="A libpq connection string or URL, instead of --target; empty uses the PG* variables.",
)
@click.option("--output-schema", help="Statsig's own results schema, where the role may hold full rights.")
@click.option(
    "--revoke",
    is_flag=True,
    help="Withdraw the Statsig role's grants on developer copies of the governed schema and on its "
    "undeclared relations; nothing else.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def audit(
    ctx: click.Context,
    /,
    target: str | None,
    profiles_dir: Path | None,
    dsn: str | None,
    output_schema: str | None,
    revoke: bool,
    fmt: str,
    project_options: ProjectOptions,
) -> None:
    """Check live, in the warehouse, what the Statsig role can read and change.

    Starts with the role, database, host and target it connected as. Reports every privilege the role
    holds outside the governed schema (and Statsig's output schema) — developer copies of the governed
    schema that earlier versions granted, and anything else — every relation in the governed schema
    that is not a declared source, every declared source the role cannot read, any right to create or
    change objects there; what PUBLIC and every other role hold on the governed views; and a Statsig role
    that does not exist or names everyone. Each finding says what to run next. Exits 1 on any finding.
    PostgreSQL only (install the command line's `postgres` extra); docs/audit.md gives the equivalent
    checks for other warehouses.

    Example:

    \b
        dbt build --target prod && statsig-sources audit --target prod --output-schema statsig_results
    """
    from statsig_sources.audit.driver import require_psycopg

    require_psycopg()
    from statsig_sources.audit.run import connection_line, render_text, to_json

    project = project_from_options(project_options)
    dsn = _dsn(project_options.project_dir, profiles_dir, target) if target is not None else dsn
    result = _audited(project, dsn or "", output_schema, target, revoke)
    if fmt == "json":
        click.echo(json_report(to_json(result)))
    else:
        click.echo(f"{connection_line(result)}\n{manifest_line(project)}\n{render_text(result)}", nl=False)
    ctx.exit(ExitCode.FINDINGS if result.failed else ExitCode.OK)


def _dsn(project_dir: Path, profiles_dir: Path | None, target: str) -> str:
    """The connection string of a dbt profile's target, as dbt would connect."""
    from statsig_sources.audit.dbt_profile import postgres_dsn

    return postgres_dsn(project_dir, profiles_dir, target)


def _audited(
    project: Project, dsn: str, output_schema: str | None, target: str | None, revoke: bool
) -> AuditResult:
    """The audit of every Statsig role, on one PostgreSQL connection."""
    from statsig_sources.audit.postgres import PostgresInspector
    from statsig_sources.audit.run import audit_scope, run_audit

    scope = audit_scope(project, output_schema, target)
    inspector = PostgresInspector(dsn)
    try:
        return run_audit(inspector, project.settings.statsig_roles, scope, revoke, scope.target)
    finally:
        inspector.close()
