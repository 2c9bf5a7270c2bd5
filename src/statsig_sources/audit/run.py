"""Runs the audit for each Statsig role through an inspector, revoking leftovers when asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from statsig_sources.audit.checks import Finding, Scope, audit_role, undeclared_readable
from statsig_sources.audit.inspector import WarehouseInspector


@dataclass(frozen=True)
class AuditResult:
    scope: Scope
    findings: tuple[Finding, ...]
    revoked: tuple[str, ...]  # "role on schema.relation", what --revoke withdrew

    @property
    def failed(self) -> bool:
        return any(finding.severity == "error" for finding in self.findings)


def run_audit(inspector: WarehouseInspector, roles: Sequence[str], scope: Scope, revoke: bool) -> AuditResult:
    findings: list[Finding] = []
    revoked: list[str] = []
    for role in roles:
        facts = inspector.role_facts(role)
        if revoke:
            leftovers = undeclared_readable(facts, scope)
            inspector.revoke(role, leftovers)
            revoked.extend(f"{role} on {relation.qualified}" for relation in leftovers)
            if leftovers:
                facts = inspector.role_facts(role)
        findings.extend(audit_role(facts, scope))
    return AuditResult(scope, tuple(findings), tuple(revoked))


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
