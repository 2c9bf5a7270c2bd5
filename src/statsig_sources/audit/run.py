"""Runs the audit for each Statsig role through an inspector, revoking leftovers when asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from statsig_sources.audit.checks import Finding, Scope, audit_role, undeclared_readable
from statsig_sources.audit.everyone import everyone_role, missing_role, public_findings
from statsig_sources.audit.inspector import WarehouseInspector
from statsig_sources.core.access import everyone
from statsig_sources.core.errors import InputError
from statsig_sources.core.project import Project

# The warehouse the audit reads (audit_scope refuses a manifest built for another).
AUDITED_ADAPTER = "postgres"


@dataclass(frozen=True)
class AuditResult:
    scope: Scope
    findings: tuple[Finding, ...]
    revoked: tuple[str, ...]  # "role on schema.relation", what --revoke withdrew

    @property
    def failed(self) -> bool:
        return any(finding.severity == "error" for finding in self.findings)


def audit_scope(project: Project, output_schema: str | None) -> Scope:
    """What the manifest declares: the governed schema its sources share and their relations."""
    if project.manifest.adapter_type != AUDITED_ADAPTER:
        raise InputError(
            f"The manifest was built for {project.manifest.adapter_type}; audit checks PostgreSQL "
            "(docs/audit.md lists the equivalent checks for other warehouses)."
        )
    governed = project.settings.statsig_schema
    schemas = sorted({source.model.relation.schema or governed for source in project.sources})
    if len(schemas) > 1:
        raise InputError(
            f"The manifest's metric sources span several schemas ({', '.join(schemas)}); run validate."
        )
    return Scope(
        governed_schema=schemas[0] if schemas else governed,
        declared=frozenset(source.model.relation.name for source in project.sources),
        output_schema=output_schema,
    )


def run_audit(inspector: WarehouseInspector, roles: Sequence[str], scope: Scope, revoke: bool) -> AuditResult:
    """Each Statsig role's findings, then what PUBLIC holds in the governed schema."""
    findings: list[Finding] = []
    revoked: list[str] = []
    for role in roles:
        findings.extend(_role_findings(inspector, role, scope, revoked if revoke else None))
    findings.extend(public_findings(inspector.public_facts(scope.governed_schema), scope))
    return AuditResult(scope, tuple(findings), tuple(revoked))


def _role_findings(
    inspector: WarehouseInspector, role: str, scope: Scope, revoked: list[str] | None
) -> list[Finding]:
    """One role's findings; a role that names everyone, or does not exist, is one finding. With
    `revoked`, the role's access to undeclared relations is withdrawn first and listed there."""
    who = everyone(role, AUDITED_ADAPTER)
    if who is not None:
        return [everyone_role(role, who)]
    facts = inspector.role_facts(role)
    if facts is not None and revoked is not None:
        leftovers = undeclared_readable(facts, scope)
        inspector.revoke(role, leftovers)
        revoked.extend(f"{role} on {relation.qualified}" for relation in leftovers)
        facts = inspector.role_facts(role) if leftovers else facts
    return [missing_role(role)] if facts is None else audit_role(facts, scope)


def render_text(result: AuditResult) -> str:
    lines = [f"revoked: {item}" for item in result.revoked]
    for finding in result.findings:
        lines.append(f"{finding.severity}: [{finding.check}] {finding.message}")
    errors = sum(finding.severity == "error" for finding in result.findings)
    warnings = len(result.findings) - errors
    schema = result.scope.governed_schema
    lines.append(f"Audit of the governed schema {schema}: {errors} finding(s), {warnings} warning(s).")
    return "\n".join(lines) + "\n"


def to_json(result: AuditResult) -> dict[str, object]:
    return {
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
            }
            for f in result.findings
        ],
    }
