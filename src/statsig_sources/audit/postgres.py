"""The PostgreSQL inspector: a role's effective privileges, read from the catalog with the server's
own privilege functions (which count grants through role membership and to PUBLIC)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from statsig_sources.audit.facts import RelationAccess, RoleFacts, SchemaAccess
from statsig_sources.core.errors import InputError

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}
USER_SCHEMAS = """
    n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\\_toast%%' and n.nspname not like 'pg\\_temp%%'
"""
# USAGE counts only when granted to the role or a role it belongs to: every role holds USAGE on
# `public` through PUBLIC by default, which exposes no data by itself.
SCHEMAS_SQL = f"""
select
    n.nspname,
    exists (
        select 1 from aclexplode(n.nspacl) acl
        where acl.privilege_type = 'USAGE' and acl.grantee <> 0
          and pg_has_role(%(role)s, acl.grantee, 'MEMBER')
    ),
    has_schema_privilege(%(role)s, n.oid, 'CREATE'),
    pg_has_role(%(role)s, n.nspowner, 'MEMBER')
from pg_namespace n
where {USER_SCHEMAS}
order by n.nspname
"""
RELATIONS_SQL = f"""
select
    n.nspname,
    c.relname,
    c.relkind,
    {", ".join(f"has_table_privilege(%(role)s, c.oid, '{privilege}')" for privilege in PRIVILEGES)},
    pg_has_role(%(role)s, c.relowner, 'MEMBER')
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f') and {USER_SCHEMAS}
order by n.nspname, c.relname
"""

# What is granted to PUBLIC (grantee 0 in an ACL) on one schema and on its relations. A NULL ACL is the
# default, which grants PUBLIC nothing on a table, a view or a schema other than `public`.
PUBLIC_SCHEMA_SQL = """
select
    n.nspname,
    exists (select 1 from aclexplode(n.nspacl) acl where acl.grantee = 0 and acl.privilege_type = 'USAGE'),
    exists (select 1 from aclexplode(n.nspacl) acl where acl.grantee = 0 and acl.privilege_type = 'CREATE')
from pg_namespace n
where n.nspname = %(schema)s
"""
PUBLIC_RELATIONS_SQL = """
select
    n.nspname,
    c.relname,
    c.relkind,
    array(
        select distinct acl.privilege_type from aclexplode(c.relacl) acl where acl.grantee = 0 order by 1
    )
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname = %(schema)s
order by c.relname
"""


class PostgresInspector:
    """Reads one database's catalog over a psycopg connection."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        try:
            self._connection = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as error:
            raise InputError(f"Cannot connect to PostgreSQL: {_first_line(error)}") from None

    def role_facts(self, role: str) -> RoleFacts | None:
        found = self._query("select rolsuper from pg_roles where rolname = %(role)s", {"role": role})
        if not found:
            return None
        schemas = self._query(SCHEMAS_SQL, {"role": role})
        relations = self._query(RELATIONS_SQL, {"role": role})
        return RoleFacts(
            role=role,
            superuser=bool(found[0][0]),
            schemas=tuple(SchemaAccess(name, usage, create, owned) for name, usage, create, owned in schemas),
            relations=tuple(_relation(row) for row in relations),
        )

    def public_facts(self, schema: str) -> RoleFacts:
        schemas = self._query(PUBLIC_SCHEMA_SQL, {"schema": schema})
        relations = self._query(PUBLIC_RELATIONS_SQL, {"schema": schema})
        return RoleFacts(
            role="PUBLIC",
            superuser=False,
            schemas=tuple(SchemaAccess(name, usage, create, False) for name, usage, create in schemas),
            relations=tuple(
                RelationAccess(schema_name, name, KINDS.get(kind, kind), frozenset(held), False)
                for schema_name, name, kind, held in relations
            ),
        )

    def _query(self, query: str, parameters: dict[str, str]) -> list[Any]:
        import psycopg

        try:
            return self._connection.execute(query, parameters).fetchall()
        except psycopg.Error as error:
            raise InputError(f"Cannot read PostgreSQL's catalog: {_first_line(error)}") from None

    def revoke(self, role: str, relations: Sequence[RelationAccess]) -> None:
        from psycopg import sql

        for relation in relations:
            statement = sql.SQL("revoke all on table {} from {}").format(
                sql.Identifier(relation.schema, relation.name), sql.Identifier(role)
            )
            self._connection.execute(statement)

    def close(self) -> None:
        self._connection.close()


def _relation(row: Sequence[Any]) -> RelationAccess:
    schema, name, kind, *privilege_flags, owned = row
    held = frozenset(privilege for privilege, has in zip(PRIVILEGES, privilege_flags, strict=True) if has)
    return RelationAccess(schema, name, KINDS.get(kind, kind), held, bool(owned))


def _first_line(error: Exception) -> str:
    # psycopg's messages carry the server's text, never the password; keep the first line only.
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
