"""The audit's rules for the governed schema: pure functions from a role's facts to findings. Empty means
the role can read every declared source, nothing else there, and change nothing. Each finding says what
to do next; where a REVOKE fixes it, the finding carries the exact statement."""

from __future__ import annotations

from collections.abc import Iterable

from statsig_sources.audit.facts import RelationAccess, RoleFacts
from statsig_sources.audit.findings import Finding, Scope, role_finding
from statsig_sources.audit.outside import outside_findings
from statsig_sources.audit.revokes import quoted_list, relation_revokes, schema_revokes, statements

WRITE_PRIVILEGES = frozenset({"INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"})


def audit_role(facts: RoleFacts, scope: Scope) -> list[Finding]:
    """Every finding for one role, in a stable order."""
    findings = [
        *_superuser(facts),
        *outside_findings(facts, scope),
        *_governed_schema(facts, scope),
        *_governed_relations(facts, scope),
        *_declared_sources(facts, scope),
    ]
    return sorted(findings, key=lambda f: (f.severity != "error", f.check, f.subject))


def _superuser(facts: RoleFacts) -> Iterable[Finding]:
    if facts.superuser:
        yield role_finding(
            "superuser",
            facts,
            facts.role,
            "is a superuser: it can read and change everything; make Statsig's role an ordinary one "
            f"(`alter role {facts.role_name} nosuperuser`)",
            statements=(f"alter role {facts.role_name} nosuperuser",),
        )


def _governed_schema(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    schema = facts.schema(scope.governed_schema)
    if schema is None:
        yield role_finding(
            "governed_schema",
            facts,
            scope.governed_schema,
            f"cannot find schema {scope.governed_schema}: build the production target in this database "
            f"(`{scope.build_command()}`), or check that audit connected to the database Statsig reads",
        )
        return
    if not schema.usage and not facts.superuser:
        yield role_finding(
            "governed_schema",
            facts,
            schema.name,
            f"lacks USAGE on the governed schema {schema.name}, so it can read none of it: build the "
            f"production target again (`{scope.build_command()}`), whose on-run-end hook grants it",
        )
    if schema.create or schema.owned:
        fixes = statements(schema_revokes(schema, ["CREATE"]))
        fix = f"revoke it ({quoted_list(fixes)})" if fixes else "give the schema to the role that builds it"
        yield role_finding(
            "can_modify",
            facts,
            schema.name,
            f"can create objects in the governed schema {schema.name}: {fix}",
            statements=fixes,
        )


def _governed_relations(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    schema = facts.schema(scope.governed_schema)
    schema_usage = schema is not None and (schema.usage or facts.superuser)
    for relation in facts.relations:
        if relation.schema != scope.governed_schema:
            continue
        writes = relation.privileges & WRITE_PRIVILEGES
        if relation.owned or writes:
            yield _can_modify(facts, relation, writes)
        if relation.name in scope.declared:
            continue
        if "SELECT" in relation.privileges and schema_usage:
            yield _undeclared_readable(facts, relation)
        else:
            yield role_finding(
                "undeclared_relation",
                facts,
                relation.qualified,
                f"cannot read {relation.qualified}, which is not a declared metric source: drop it when "
                f"nothing needs it (`drop {relation.kind} {relation.statement_name}`)",
                severity="warning",
            )


def _can_modify(facts: RoleFacts, relation: RelationAccess, writes: frozenset[str]) -> Finding:
    fixes = statements(relation_revokes(relation, writes))
    steps = [f"revoke it ({quoted_list(fixes)})"] if fixes else []
    if relation.owned:
        steps.append(f"give {relation.qualified} to the role that builds it")
    listed = sorted(writes) + (["ownership"] if relation.owned else [])
    return role_finding(
        "can_modify",
        facts,
        relation.qualified,
        f"holds {', '.join(listed)} on {relation.qualified}: {', and '.join(steps)}",
        statements=fixes,
    )


def _undeclared_readable(facts: RoleFacts, relation: RelationAccess) -> Finding:
    """A relation left in the governed schema: `--revoke` withdraws the role's own grants on it."""
    own = [revoke for revoke in relation_revokes(relation) if revoke.grantee == facts.role]
    others = [revoke for revoke in relation_revokes(relation) if revoke.grantee != facts.role]
    steps = []
    if own:
        steps.append(f"`statsig-sources audit --revoke` withdraws it ({quoted_list(statements(own))})")
    if others:
        steps.append(f"revoke by hand what other grantees give it ({quoted_list(statements(others))})")
    steps.append(f"drop it when nothing needs it (`drop {relation.kind} {relation.statement_name}`)")
    return role_finding(
        "undeclared_relation",
        facts,
        relation.qualified,
        f"can read {relation.qualified}, which is not a declared metric source (left behind when a source "
        f"left dbt?): {'; '.join(steps)}",
        statements=statements([*own, *others]),
        withdrawn_by_revoke=statements(own),
    )


def _declared_sources(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    present = {
        relation.name: relation for relation in facts.relations if relation.schema == scope.governed_schema
    }
    for name, model in sorted(scope.declared.items()):
        qualified = f"{scope.governed_schema}.{name}"
        relation = present.get(name)
        if relation is None:
            yield role_finding(
                "missing_source",
                facts,
                qualified,
                f"cannot read {qualified}: it does not exist; build it (`{scope.build_command(model)}`)",
            )
        elif "SELECT" not in relation.privileges:
            yield role_finding(
                "unreadable_source",
                facts,
                qualified,
                f"lacks SELECT on the declared source {qualified}: build it again on the production target "
                f"(`{scope.build_command(model)}`), which grants it",
            )
