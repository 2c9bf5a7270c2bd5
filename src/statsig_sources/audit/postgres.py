"""The PostgreSQL inspector: a role's effective privileges, read from the catalog with the server's
own privilege functions (which count grants through role membership and to PUBLIC), the access-list
entries they come from, and names quoted by the server (`quote_ident`), so that every REVOKE a finding
shows names exactly what was found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from statsig_sources.audit.facts import PUBLIC, Connection, Grant, RelationAccess, RoleFacts, SchemaAccess
from statsig_sources.support.errors import InputError

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}
USER_SCHEMAS = """
    n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\\_toast%%' and n.nspname not like 'pg\\_temp%%'
"""
RELATION_KINDS = "c.relkind in ('r', 'p', 'v', 'm', 'f')"
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
    pg_has_role(%(role)s, n.nspowner, 'MEMBER'),
    quote_ident(n.nspname)
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
    pg_has_role(%(role)s, c.relowner, 'MEMBER'),
    quote_ident(n.nspname) || '.' || quote_ident(c.relname)
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where {RELATION_KINDS} and {USER_SCHEMAS}
order by n.nspname, c.relname
"""
# The access-list entries (owner's own aside) a role's privileges come from: granted to the role, to a
# role it belongs to, or to PUBLIC (grantee 0). One row per entry: (schema, relation or null, grantee,
# the grantee as a statement names it, privilege).
GRANTEE = """
    coalesce(r.rolname, 'PUBLIC'),
    case when acl.grantee = 0 then 'public' else quote_ident(r.rolname) end,
    acl.privilege_type
"""
HELD_BY_ROLE = "(acl.grantee = 0 or pg_has_role(%(role)s, acl.grantee, 'MEMBER'))"
SCHEMA_GRANTS_SQL = f"""
select n.nspname, null, {GRANTEE}
from pg_namespace n
cross join lateral aclexplode(n.nspacl) acl
left join pg_roles r on r.oid = acl.grantee
where {USER_SCHEMAS} and acl.grantee <> n.nspowner and {HELD_BY_ROLE}
"""
RELATION_GRANTS_SQL = f"""
select n.nspname, c.relname, {GRANTEE}
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
cross join lateral aclexplode(c.relacl) acl
left join pg_roles r on r.oid = acl.grantee
where {RELATION_KINDS} and {USER_SCHEMAS} and acl.grantee <> c.relowner and {HELD_BY_ROLE}
"""
# Every named role (not PUBLIC, not the owner, not a superuser) granted on a relation of one schema.
GRANTEES_SQL = f"""
select n.nspname, c.relname, c.relkind, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       r.rolname, quote_ident(r.rolname), acl.privilege_type
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
cross join lateral aclexplode(c.relacl) acl
join pg_roles r on r.oid = acl.grantee
where {RELATION_KINDS} and n.nspname = %(schema)s and acl.grantee <> c.relowner and not r.rolsuper
order by c.relname, r.rolname, acl.privilege_type
"""
# What is granted to PUBLIC (grantee 0 in an ACL) on one schema and on its relations. A NULL ACL is the
# default, which grants PUBLIC nothing on a table, a view or a schema other than `public`.
PUBLIC_SCHEMA_SQL = """
select
    n.nspname,
    exists (select 1 from aclexplode(n.nspacl) acl where acl.grantee = 0 and acl.privilege_type = 'USAGE'),
    exists (select 1 from aclexplode(n.nspacl) acl where acl.grantee = 0 and acl.privilege_type = 'CREATE'),
    quote_ident(n.nspname)
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
    ),
    quote_ident(n.nspname) || '.' || quote_ident(c.relname)
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

    def connection(self) -> Connection:
        [(role, database)] = self._query("select current_user, current_database()", {})
        info = self._connection.info
        return Connection(str(role), str(database), info.host or "(the default socket)")

    def role_facts(self, role: str) -> RoleFacts | None:
        found = self._query(
            "select rolsuper, quote_ident(rolname) from pg_roles where rolname = %(role)s", {"role": role}
        )
        if not found:
            return None
        parameters = {"role": role}
        grants = _grants_by_object(self._query(SCHEMA_GRANTS_SQL + " union all " + RELATION_GRANTS_SQL,
                                               parameters))  # fmt: skip
        return RoleFacts(
            role=role,
            superuser=bool(found[0][0]),
            schemas=tuple(_schema(row, grants) for row in self._query(SCHEMAS_SQL, parameters)),
            relations=tuple(_relation(row, grants) for row in self._query(RELATIONS_SQL, parameters)),
            role_sql=str(found[0][1]),
        )

    def grantees(self, schema: str) -> tuple[RelationAccess, ...]:
        relations: dict[tuple[str, str], tuple[str, str, list[Grant]]] = {}
        for schema_name, name, kind, sql_name, grantee, grantee_sql, privilege in self._query(
            GRANTEES_SQL, {"schema": schema}
        ):
            entry = relations.setdefault((schema_name, name), (kind, sql_name, []))
            entry[2].append(Grant(grantee, privilege, grantee_sql))
        return tuple(
            RelationAccess(
                schema_name, name, KINDS.get(kind, kind), frozenset(), False, tuple(grants), sql_name
            )
            for (schema_name, name), (kind, sql_name, grants) in relations.items()
        )

    def public_facts(self, schema: str) -> RoleFacts:
        schemas = self._query(PUBLIC_SCHEMA_SQL, {"schema": schema})
        relations = self._query(PUBLIC_RELATIONS_SQL, {"schema": schema})
        return RoleFacts(
            role=PUBLIC,
            superuser=False,
            schemas=tuple(
                SchemaAccess(name, usage, create, False, sql_name=sql_name)
                for name, usage, create, sql_name in schemas
            ),
            relations=tuple(
                RelationAccess(
                    schema_name, name, KINDS.get(kind, kind), frozenset(held), False, sql_name=sql_name
                )
                for schema_name, name, kind, held, sql_name in relations
            ),
            role_sql="public",
        )

    def _query(self, query: str, parameters: dict[str, str]) -> list[Any]:
        import psycopg

        try:
            return self._connection.execute(query.encode(), parameters).fetchall()
        except psycopg.Error as error:
            raise InputError(f"Cannot read PostgreSQL's catalog: {_first_line(error)}") from None

    def run(self, statements: Sequence[str]) -> None:
        """Runs REVOKE statements the audit built from names the server quoted, in one transaction."""
        import psycopg

        try:
            with self._connection.transaction():
                for statement in statements:
                    self._connection.execute(statement.encode())
        except psycopg.Error as error:
            raise InputError(
                f"Cannot revoke on PostgreSQL (nothing was withdrawn): {_first_line(error)}"
            ) from None

    def close(self) -> None:
        self._connection.close()


GrantsByObject = dict[tuple[str, str | None], tuple[Grant, ...]]


def _grants_by_object(rows: Iterable[Sequence[Any]]) -> GrantsByObject:
    found: dict[tuple[str, str | None], list[Grant]] = {}
    for schema, relation, grantee, grantee_sql, privilege in rows:
        found.setdefault((schema, relation), []).append(Grant(grantee, privilege, grantee_sql))
    return {
        key: tuple(sorted(grants, key=lambda g: (g.grantee, g.privilege))) for key, grants in found.items()
    }


def _schema(row: Sequence[Any], grants: GrantsByObject) -> SchemaAccess:
    name, usage, create, owned, sql_name = row
    return SchemaAccess(name, bool(usage), bool(create), bool(owned), grants.get((name, None), ()), sql_name)


def _relation(row: Sequence[Any], grants: GrantsByObject) -> RelationAccess:
    schema, name, kind, *privilege_flags, owned, sql_name = row
    held = frozenset(privilege for privilege, has in zip(PRIVILEGES, privilege_flags, strict=True) if has)
    own = grants.get((schema, name), ())
    return RelationAccess(schema, name, KINDS.get(kind, kind), held, bool(owned), own, sql_name)


def _first_line(error: Exception) -> str:
    # psycopg's messages carry the server's text, never the password; keep the first line only.
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
