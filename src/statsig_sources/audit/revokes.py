"""The exact REVOKE statements that withdraw a grant the audit found, one per grantee: the text a
finding shows is the text `audit --revoke` runs. Names come quoted by the warehouse itself
(PostgreSQL's `quote_ident`), so the statement names exactly the relation, schema and role found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from statsig_sources.audit.facts import Grant, RelationAccess, SchemaAccess


@dataclass(frozen=True)
class Revoke:
    grantee: str  # whose grant it withdraws: a role's name, or PUBLIC
    statement: str


def relation_revokes(relation: RelationAccess, privileges: Iterable[str] | None = None) -> tuple[Revoke, ...]:
    """Withdraws what the relation's access-list entries grant (only `privileges`, when given)."""
    return _revokes(relation.grants, relation.statement_name, privileges)


def schema_revokes(schema: SchemaAccess, privileges: Iterable[str] | None = None) -> tuple[Revoke, ...]:
    return _revokes(schema.grants, f"schema {schema.statement_name}", privileges)


def _revokes(grants: Iterable[Grant], target: str, privileges: Iterable[str] | None) -> tuple[Revoke, ...]:
    wanted = None if privileges is None else frozenset(privileges)
    held: dict[tuple[str, str], set[str]] = {}
    for grant in grants:
        if wanted is None or grant.privilege in wanted:
            held.setdefault((grant.grantee, grant.grantee_name), set()).add(grant.privilege.lower())
    return tuple(
        Revoke(grantee, f"revoke {', '.join(sorted(names))} on {target} from {grantee_sql}")
        for (grantee, grantee_sql), names in sorted(held.items())
    )


def statements(revokes: Iterable[Revoke]) -> tuple[str, ...]:
    return tuple(revoke.statement for revoke in revokes)


def quoted_list(texts: Iterable[str]) -> str:
    """Statements as a finding shows them: each in backquotes, joined by `; then `."""
    return "; then ".join(f"`{text}`" for text in texts)
