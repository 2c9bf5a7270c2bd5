"""The audit's rules: pure functions from a role's facts to findings. Empty means the role can read
every declared source, nothing else, and change nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from statsig_sources.audit.facts import RelationAccess, RoleFacts

WRITE_PRIVILEGES = frozenset({"INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"})


@dataclass(frozen=True)
class Scope:
    """Where the role may read (the governed schema's declared sources) and where it may write."""

    governed_schema: str
    declared: frozenset[str]  # relation names of the declared sources in the governed schema
    output_schema: str | None = None  # Statsig's own results schema, where full rights are expected


@dataclass(frozen=True)
class Finding:
    check: str
    role: str
    subject: str
    message: str
    severity: str = "error"  # or "warning", which does not fail the audit


def audit_role(facts: RoleFacts, scope: Scope) -> list[Finding]:
    """Every finding for one role, in a stable order."""
    findings = [
        *_superuser(facts),
        *_outside(facts, scope),
        *_governed_schema(facts, scope),
        *_governed_relations(facts, scope),
        *_declared_sources(facts, scope),
    ]
    return sorted(findings, key=lambda f: (f.severity != "error", f.check, f.subject))


def _finding(check: str, facts: RoleFacts, subject: str, message: str, severity: str = "error") -> Finding:
    return Finding(check, facts.role, subject, f"{facts.role} {message}", severity)


def _privileges(relation: RelationAccess) -> str:
    held = sorted(relation.privileges) + (["ownership"] if relation.owned else [])
    return ", ".join(held)


def _superuser(facts: RoleFacts) -> Iterable[Finding]:
    if facts.superuser:
        yield _finding("superuser", facts, facts.role, "is a superuser: it can read and change everything")


def _outside(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    allowed = {scope.governed_schema, scope.output_schema}
    for schema in facts.schemas:
        held = [
            name
            for name, has in (("USAGE", schema.usage), ("CREATE", schema.create), ("ownership", schema.owned))
            if has
        ]
        if schema.name not in allowed and held:
            yield _finding(
                "outside_schema",
                facts,
                schema.name,
                f"holds {', '.join(held)} on schema {schema.name}, outside the governed schema "
                f"{scope.governed_schema}",
            )
    for relation in facts.relations:
        if relation.schema not in allowed and (relation.privileges or relation.owned):
            yield _finding(
                "outside_relation",
                facts,
                relation.qualified,
                f"holds {_privileges(relation)} on {relation.qualified}, outside the governed schema "
                f"{scope.governed_schema}",
            )


def _governed_schema(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    schema = facts.schema(scope.governed_schema)
    if schema is None:
        yield _finding(
            "governed_schema",
            facts,
            scope.governed_schema,
            f"cannot find schema {scope.governed_schema}: has dbt built it on this target?",
        )
        return
    if not schema.usage and not facts.superuser:
        yield _finding(
            "governed_schema",
            facts,
            schema.name,
            f"lacks USAGE on the governed schema {schema.name}, so it can read none of it",
        )
    if schema.create or schema.owned:
        yield _finding(
            "can_modify", facts, schema.name, f"can create objects in the governed schema {schema.name}"
        )


def _governed_relations(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    schema = facts.schema(scope.governed_schema)
    schema_usage = schema is not None and (schema.usage or facts.superuser)
    for relation in facts.relations:
        if relation.schema != scope.governed_schema:
            continue
        if relation.owned or relation.privileges & WRITE_PRIVILEGES:
            writes = sorted(relation.privileges & WRITE_PRIVILEGES) + (
                ["ownership"] if relation.owned else []
            )
            yield _finding(
                "can_modify", facts, relation.qualified, f"holds {', '.join(writes)} on {relation.qualified}"
            )
        if relation.name in scope.declared:
            continue
        if "SELECT" in relation.privileges and schema_usage:
            yield _finding(
                "undeclared_relation",
                facts,
                relation.qualified,
                f"can read {relation.qualified}, which is not a declared metric source (left behind when a "
                "source left dbt?): drop it, or withdraw access with `statsig-sources audit --revoke`",
            )
        else:
            yield _finding(
                "undeclared_relation",
                facts,
                relation.qualified,
                f"cannot read {relation.qualified}, which is not a declared metric source; "
                "drop it when convenient",
                severity="warning",
            )


def _declared_sources(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    present = {
        relation.name: relation for relation in facts.relations if relation.schema == scope.governed_schema
    }
    for name in sorted(scope.declared):
        qualified = f"{scope.governed_schema}.{name}"
        relation = present.get(name)
        if relation is None:
            yield _finding(
                "missing_source",
                facts,
                qualified,
                f"cannot read {qualified}: it does not exist (run dbt build on this target)",
            )
        elif "SELECT" not in relation.privileges:
            yield _finding(
                "unreadable_source", facts, qualified, f"lacks SELECT on the declared source {qualified}"
            )


def undeclared_readable(facts: RoleFacts, scope: Scope) -> list[RelationAccess]:
    """The leftovers `--revoke` withdraws: relations in the governed schema that are not declared."""
    return [
        relation
        for relation in facts.relations
        if relation.schema == scope.governed_schema
        and relation.name not in scope.declared
        and relation.privileges
    ]
