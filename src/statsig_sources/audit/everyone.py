"""The audit's findings about who else can read: a Statsig role that names everyone or does not exist,
what PUBLIC (every role there is) holds in the governed schema, and every other role granted on the
governed views. Each says what to do next, with the exact statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from statsig_sources.audit.facts import RelationAccess, RoleFacts
from statsig_sources.audit.findings import Finding, Scope
from statsig_sources.audit.revokes import relation_revokes

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
        fix = f"revoke create on schema {schema.statement_name} from public"
        yield Finding(
            "public_grant",
            facts.role,
            schema.name,
            f"PUBLIC holds CREATE on the governed schema {schema.name}: every role can add relations to it; "
            f"revoke it (`{fix}`)",
            statements=(fix,),
        )
    if schema.usage:
        fix = f"revoke usage on schema {schema.statement_name} from public"
        yield Finding(
            "public_grant",
            facts.role,
            schema.name,
            f"PUBLIC holds USAGE on the governed schema {schema.name}: every role can see into it, and reads "
            f"whatever else is granted to PUBLIC there; revoke it (`{fix}`)",
            "warning",
            statements=(fix,),
        )


def _relations(facts: RoleFacts, scope: Scope) -> Iterable[Finding]:
    for relation in facts.relations:
        if relation.schema == scope.governed_schema and relation.privileges:
            privileges = ", ".join(sorted(relation.privileges)).lower()
            fix = f"revoke {privileges} on {relation.statement_name} from public"
            yield Finding(
                "public_grant",
                facts.role,
                relation.qualified,
                f"PUBLIC holds {', '.join(sorted(relation.privileges))} on {relation.qualified}: every role "
                f"can use it as Statsig's role can; revoke it (`{fix}`) and keep PUBLIC out of "
                "statsig_reader_roles",
                statements=(fix,),
            )


def other_grantee_findings(relations: Sequence[RelationAccess], roles: Sequence[str]) -> list[Finding]:
    """Every role other than Statsig's that a grant on a relation in the governed schema lets read or
    change it (`relations` hold those grants, the owner's, superusers' and PUBLIC's left out): the
    README's promise is that Statsig's role, and no one else, reads the governed views."""
    found = []
    for relation in relations:
        for revoke in relation_revokes(relation):
            if revoke.grantee in roles:
                continue
            privileges = sorted(g.privilege for g in relation.grants if g.grantee == revoke.grantee)
            found.append(
                Finding(
                    "other_grantee",
                    revoke.grantee,
                    relation.qualified,
                    f"{revoke.grantee} holds {', '.join(privileges)} on {relation.qualified}, which only "
                    f"Statsig's role may read: revoke it (`{revoke.statement}`); dbt's grants config never "
                    "gives it, so it was granted by hand or by a default privilege (`\\ddp` in psql)",
                    statements=(revoke.statement,),
                )
            )
    return sorted(found, key=lambda f: (f.subject, f.role))
