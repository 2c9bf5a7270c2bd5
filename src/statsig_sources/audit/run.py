"""Runs the audit for each Statsig role through an inspector, revoking what it may when asked, and
reports it: text and JSON say the same things."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from statsig_sources.audit.checks import audit_role
from statsig_sources.audit.everyone import (
    everyone_role,
    missing_role,
    other_grantee_findings,
    public_findings,
)
from statsig_sources.audit.facts import Connection
from statsig_sources.audit.findings import Finding, Scope, withdrawn_by_revoke
from statsig_sources.audit.inspector import WarehouseInspector
from statsig_sources.declaration.access import everyone
from statsig_sources.project import Project
from statsig_sources.support.errors import InputError

# The warehouse the audit reads (audit_scope refuses a manifest built for another).
AUDITED_ADAPTER = "postgres"


@dataclass(frozen=True)
class AuditResult:
    connection: Connection
    target: str | None  # the dbt target audited: --target, else the manifest's
    scope: Scope
    findings: tuple[Finding, ...]
    revoked: tuple[str, ...]  # the statements --revoke ran

    @property
    def failed(self) -> bool:
        return any(finding.severity == "error" for finding in self.findings)


def audit_scope(project: Project, output_schema: str | None, target: str | None) -> Scope:
    """What the manifest declares: the governed schema its sources share and their relations. Refused
    unless the manifest, and the target audit connects with, are production: Statsig reads only there,
    and the developer copies are found from there."""
    if project.manifest.adapter_type != AUDITED_ADAPTER:
        raise InputError(
            f"The manifest was built for {project.manifest.adapter_type}; audit checks PostgreSQL "
            "(docs/audit.md lists the equivalent checks for other warehouses)."
        )
    _check_targets(project, target)
    governed = project.settings.statsig_schema
    schemas = sorted({source.model.relation.schema or governed for source in project.sources})
    if len(schemas) > 1:
        raise InputError(
            f"The manifest's metric sources span several schemas ({', '.join(schemas)}); run validate."
        )
    return Scope(
        governed_schema=schemas[0] if schemas else governed,
        declared={source.model.relation.name: source.model.name for source in project.sources},
        output_schema=output_schema,
        target=target or project.settings.target,
        non_production_roles=project.settings.non_production_roles,
    )


def _check_targets(project: Project, target: str | None) -> None:
    settings = project.settings
    production = ", ".join(settings.production_targets) or "none"
    first = settings.production_targets[0] if settings.production_targets else "<production target>"
    if target is not None and target not in settings.production_targets:
        raise InputError(
            f"audit checks what Statsig reads, on a production target; {target!r} is not in "
            f"statsig_production_targets ({production}). A developer's copies are reported from there: "
            f"statsig-sources audit --target {first}"
        )
    if settings.production is False:
        raise InputError(
            f"The manifest was parsed for target {settings.target!r}, which is not in "
            f"statsig_production_targets ({production}); audit checks the production governed schema: "
            f"run `dbt parse --target {target or first}`, then audit again."
        )
    if target is not None and settings.target is not None and target != settings.target:
        raise InputError(
            f"audit connects with target {target!r}, but the manifest was parsed for target "
            f"{settings.target!r}: run `dbt parse --target {target}`, then audit again."
        )


def run_audit(
    inspector: WarehouseInspector, roles: Sequence[str], scope: Scope, revoke: bool, target: str | None
) -> AuditResult:
    """Each Statsig role's findings (with `revoke`, after withdrawing what the audit may), then what
    PUBLIC and every other role hold in the governed schema."""
    connection = inspector.connection()
    findings: list[Finding] = []
    revoked: list[str] = []
    for role in roles:
        found = _role_findings(inspector, role, scope)
        todo = withdrawn_by_revoke(found) if revoke else ()
        if todo:
            inspector.run(todo)
            revoked.extend(todo)
            found = _role_findings(inspector, role, scope)
        findings.extend(found)
    findings.extend(public_findings(inspector.public_facts(scope.governed_schema), scope))
    findings.extend(other_grantee_findings(inspector.grantees(scope.governed_schema), roles))
    return AuditResult(connection, target, scope, tuple(findings), tuple(revoked))


def _role_findings(inspector: WarehouseInspector, role: str, scope: Scope) -> list[Finding]:
    """One role's findings; a role that names everyone, or does not exist, is one finding."""
    who = everyone(role, AUDITED_ADAPTER)
    if who is not None:
        return [everyone_role(role, who)]
    facts = inspector.role_facts(role)
    return [missing_role(role)] if facts is None else audit_role(facts, scope)


def connection_line(result: AuditResult) -> str:
    connection = result.connection
    target = f"target {result.target}" if result.target else "the manifest names no target"
    return f"connected as {connection.role} to {connection.database} on {connection.host} ({target})"


def render_text(result: AuditResult) -> str:
    """The findings and the summary (the connection and manifest lines come first, from the command)."""
    lines = [f"revoked: {statement}" for statement in result.revoked]
    for finding in result.findings:
        lines.append(f"{finding.severity}: [{finding.check}] {finding.message}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: AuditResult) -> str:
    errors = sum(finding.severity == "error" for finding in result.findings)
    warnings = len(result.findings) - errors
    line = (
        f"Audit of the governed schema {result.scope.governed_schema}: {errors} finding(s), "
        f"{warnings} warning(s)."
    )
    pending = withdrawn_by_revoke(result.findings)
    if pending:
        line += f" `statsig-sources audit --revoke` withdraws {len(pending)} grant(s) of them."
    return line


def to_json(result: AuditResult) -> dict[str, object]:
    connection = result.connection
    return {
        "connection": {
            "role": connection.role,
            "database": connection.database,
            "host": connection.host,
            "target": result.target,
        },
        "governed_schema": result.scope.governed_schema,
        "output_schema": result.scope.output_schema,
        "declared_sources": sorted(result.scope.declared),
        "revoked": list(result.revoked),
        "findings": [
            {
                "check": f.check,
                "role": f.role,
                "subject": f.subject,
                "severity": f.severity,
                "message": f.message,
                "statements": list(f.statements),
                "withdrawn_by_revoke": list(f.withdrawn_by_revoke),
            }
            for f in result.findings
        ],
        "summary": summary(result),
    }
