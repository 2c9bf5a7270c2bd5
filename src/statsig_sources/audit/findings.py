"""What the audit reports: where Statsig's role may read (the scope) and each finding, with the
statements that fix it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from statsig_sources.audit.facts import RelationAccess, RoleFacts


@dataclass(frozen=True)
class Scope:
    """Where the role may read (the governed schema's declared sources) and where it may write."""

    governed_schema: str
    declared: Mapping[str, str]  # relation name -> model name, for each declared source
    output_schema: str | None = None  # Statsig's own results schema, where full rights are expected
    target: str | None = None  # the manifest's (production) target, for the commands findings name
    non_production_roles: tuple[str, ...] = ()  # statsig_non_production_reader_roles

    def build_command(self, model: str | None = None) -> str:
        target = f" --target {self.target}" if self.target else ""
        select = f" --select {model}" if model else ""
        return f"dbt build{target}{select}"


@dataclass(frozen=True)
class Finding:
    check: str
    role: str
    subject: str
    message: str
    severity: str = "error"  # or "warning", which does not fail the audit
    statements: tuple[str, ...] = ()  # the SQL that fixes it
    withdrawn_by_revoke: tuple[str, ...] = ()  # those of `statements` that `audit --revoke` runs


def role_finding(
    check: str,
    facts: RoleFacts,
    subject: str,
    message: str,
    severity: str = "error",
    statements: tuple[str, ...] = (),
    withdrawn_by_revoke: tuple[str, ...] = (),
) -> Finding:
    message = f"{facts.role} {message}"
    return Finding(check, facts.role, subject, message, severity, statements, withdrawn_by_revoke)


def held(relation: RelationAccess) -> str:
    """What the role holds on the relation, as a finding lists it: its privileges, and ownership."""
    return ", ".join(sorted(relation.privileges) + (["ownership"] if relation.owned else []))


def withdrawn_by_revoke(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The statements `audit --revoke` runs for these findings, each once, in order."""
    found: dict[str, None] = {}
    for finding in findings:
        found.update(dict.fromkeys(finding.withdrawn_by_revoke))
    return tuple(found)
