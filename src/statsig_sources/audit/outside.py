"""The audit's rules outside the governed schema: every schema and relation there that a Statsig role can
use. A developer copy of the governed schema (`<target schema>_<statsig_schema>`, which versions before
grants followed the target granted on every target) is withdrawn by `audit --revoke`; anything else
(Statsig's own output schema when not named, a table granted by hand) is only reported, with the
statement to run by hand."""

from __future__ import annotations

from collections.abc import Iterable

from statsig_sources.audit.facts import PUBLIC, RelationAccess, RoleFacts, SchemaAccess
from statsig_sources.audit.findings import Finding, Scope, held, role_finding
from statsig_sources.audit.revokes import Revoke, quoted_list, relation_revokes, schema_revokes, statements
from statsig_sources.declaration.settings import is_developer_copy

SCHEMA_PRIVILEGES = ("USAGE", "CREATE")


def outside_findings(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    """Nothing for a superuser: it can use everything, and the superuser finding says so once."""
    if facts.superuser:
        return
    allowed = {scope.governed_schema, scope.output_schema}
    for schema in facts.schemas:
        if schema.name not in allowed and _schema_held(schema):
            yield _schema_finding(facts, schema, scope)
    for relation in facts.relations:
        if relation.schema not in allowed and (relation.privileges or relation.owned):
            yield _relation_finding(facts, relation, scope)


def _schema_held(schema: SchemaAccess) -> list[str]:
    return [name for name, has in (("USAGE", schema.usage), ("CREATE", schema.create)) if has] + (
        ["ownership"] if schema.owned else []
    )


def _schema_finding(facts: RoleFacts, schema: SchemaAccess, scope: Scope) -> Finding:
    privileges = [name for name in _schema_held(schema) if name in SCHEMA_PRIVILEGES]
    revokes = schema_revokes(schema, privileges)
    subject = f"schema {schema.name}"
    owner = f"alter schema {schema.statement_name} owner to <the role that should own it>"
    if is_developer_copy(schema.name, scope.governed_schema):
        return _developer_copy(facts, schema.name, subject, ", ".join(_schema_held(schema)), revokes, scope,
                               owner if schema.owned else None)  # fmt: skip
    steps = _by_hand(revokes, owner if schema.owned else None)
    steps.append(f"or pass `--output-schema {schema.name}` if it is Statsig's own output schema")
    return role_finding(
        "outside_schema",
        facts,
        schema.name,
        f"holds {', '.join(_schema_held(schema))} on {subject}, outside the governed schema "
        f"{scope.governed_schema}: {', '.join(steps)}",
        statements=statements(revokes),
    )


def _relation_finding(facts: RoleFacts, relation: RelationAccess, scope: Scope) -> Finding:
    revokes = relation_revokes(relation)
    owner = f"alter {relation.kind} {relation.statement_name} owner to <the role that builds it>"
    if is_developer_copy(relation.schema, scope.governed_schema):
        return _developer_copy(facts, relation.qualified, relation.qualified, held(relation), revokes, scope,
                               owner if relation.owned else None)  # fmt: skip
    steps = _by_hand(revokes, owner if relation.owned else None)
    return role_finding(
        "outside_relation",
        facts,
        relation.qualified,
        f"holds {held(relation)} on {relation.qualified}, outside the governed schema "
        f"{scope.governed_schema}: {', '.join(steps)}",
        statements=statements(revokes),
    )


def _by_hand(revokes: tuple[Revoke, ...], owner: str | None) -> list[str]:
    """Next steps for what `audit --revoke` never touches."""
    steps = (
        [f"revoke it by hand if Statsig must not read it ({quoted_list(statements(revokes))})"]
        if revokes
        else []
    )
    if owner is not None:
        steps.append(f"give it another owner (`{owner}`)")
    return steps or ["find the grant (`\\dp` in psql) and revoke it by hand"]


def _developer_copy(
    facts: RoleFacts,
    subject: str,
    shown: str,
    privileges: str,
    revokes: tuple[Revoke, ...],
    scope: Scope,
    owner: str | None,
) -> Finding:
    """A grant on a developer copy: the role's own and PUBLIC's are withdrawn by `audit --revoke` (what
    the package granted there); a grant to another role it belongs to is left to do by hand."""
    own = [revoke for revoke in revokes if revoke.grantee in (facts.role, PUBLIC)]
    others = [revoke for revoke in revokes if revoke not in own]
    steps = [f"`statsig-sources audit --revoke` withdraws it ({quoted_list(statements(own))})"] if own else []
    if others:
        steps.append(f"revoke by hand what other roles give it ({quoted_list(statements(others))})")
    if owner is not None:
        steps.append(f"give it another owner (`{owner}`)")
    listed = ""
    if facts.role in scope.non_production_roles:
        listed = (
            " (statsig_non_production_reader_roles lists the role, so every non-production build grants it "
            "again: take it out of that var)"
        )
    return role_finding(
        "developer_copy",
        facts,
        subject,
        f"holds {privileges} on {shown}, in a developer copy of the governed schema {scope.governed_schema}, "
        f"which Statsig must not read{listed}: {'; '.join(steps)}",
        statements=statements(revokes),
        withdrawn_by_revoke=statements(own),
    )
