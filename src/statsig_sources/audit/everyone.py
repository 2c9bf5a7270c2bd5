"""The audit's findings about who else can read: a Statsig role that names everyone or does not exist,
and what PUBLIC (every role there is) holds in the governed schema. Each says what to do next."""

from __future__ import annotations

from collections.abc import Iterable

from statsig_sources.audit.checks import Finding, Scope
from statsig_sources.audit.facts import RoleFacts

NEXT_ROLE = "set statsig_reader_roles (or --statsig-role) to the role Statsig connects as"


def everyone_role(role: str, who: str) -> Finding:
    """A configured Statsig role that stands for every role (the package refuses it since this version;
    an older build may have granted it)."""
    return Finding(
        "everyone_role",
        role,
        role,
        f"{role} is {who}, not a role Statsig connects as: {NEXT_ROLE}, and see the public_grant "
        "findings for what it was granted",
    )


def missing_role(role: str) -> Finding:
    return Finding(
        "missing_role",
        role,
        role,
        f"{role} does not exist in this cluster: create it (`create role {role} login`) and build again so "
        f"that dbt grants it, or {NEXT_ROLE}",
    )


def public_findings(facts: RoleFacts, scope: Scope) -> list[Finding]:
    """What PUBLIC holds on the governed schema and its relations: every role holds it too."""
    found = [*_schema(facts, scope), *_relations(facts, scope)]
    return sorted(found, key=lambda f: (f.severity != "error", f.check, f.subject))


def _schema(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    schema = facts.schema(scope.governed_schema)
    if schema is None:
        return
    if schema.create:
        yield Finding(
            "public_grant",
            facts.role,
            schema.name,
            f"PUBLIC holds CREATE on the governed schema {schema.name}: every role can add relations to it; "
            f"revoke it (`revoke create on schema {schema.name} from public`)",
        )
    if schema.usage:
        yield Finding(
            "public_grant",
            facts.role,
            schema.name,
            f"PUBLIC holds USAGE on the governed schema {schema.name}: every role can see into it, and reads "
            f"whatever else is granted to PUBLIC there; revoke it (`revoke usage on schema {schema.name} "
            "from public`)",
            "warning",
        )


def _relations(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    for relation in facts.relations:
        if relation.schema == scope.governed_schema and relation.privileges:
            held = ", ".join(sorted(relation.privileges))
            yield Finding(
                "public_grant",
                facts.role,
                relation.qualified,
                f"PUBLIC holds {held} on {relation.qualified}: every role can use it as Statsig's role "
                f"can; revoke it (`revoke all on {relation.qualified} from public`) and keep PUBLIC out of "
                "statsig_reader_roles",
            )
