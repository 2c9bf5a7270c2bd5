"""What an inspector reads from a warehouse's catalog: plain, frozen data."""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC = "PUBLIC"  # the grantee every role is a member of


@dataclass(frozen=True)
class Grant:
    """One entry of a catalog's access list: `grantee` (a role's name, or PUBLIC) holds `privilege`."""

    grantee: str
    privilege: str  # SELECT, INSERT, ..., USAGE, CREATE
    grantee_sql: str = ""  # the grantee as a statement names it (quoted where needed); "" for `grantee`

    @property
    def grantee_name(self) -> str:
        return self.grantee_sql or ("public" if self.grantee == PUBLIC else self.grantee)


@dataclass(frozen=True)
class RelationAccess:
    """One relation and what the role may do with it (privileges from any grant, PUBLIC included)."""

    schema: str
    name: str
    kind: str  # table, view, materialized view, ...
    privileges: frozenset[str]  # SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    owned: bool  # the role, or a role it belongs to, owns it
    # The access-list entries those privileges come from: granted to the role, to a role it belongs to,
    # or to PUBLIC (the owner's own entries left out).
    grants: tuple[Grant, ...] = ()
    sql_name: str = ""  # `schema.name` as a statement names it (quoted where needed); "" for `qualified`

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def statement_name(self) -> str:
        return self.sql_name or self.qualified


@dataclass(frozen=True)
class SchemaAccess:
    """One schema and the schema privileges the role holds there."""

    name: str
    usage: bool  # USAGE granted to the role or a role it belongs to (PUBLIC's default USAGE aside)
    create: bool  # CREATE, from any grant, PUBLIC included
    owned: bool
    grants: tuple[Grant, ...] = ()  # as RelationAccess.grants
    sql_name: str = ""  # the name as a statement writes it; "" for `name`

    @property
    def statement_name(self) -> str:
        return self.sql_name or self.name


@dataclass(frozen=True)
class RoleFacts:
    """Everything the checks need about one role."""

    role: str
    superuser: bool
    schemas: tuple[SchemaAccess, ...]
    relations: tuple[RelationAccess, ...]
    role_sql: str = ""  # the role as a statement names it; "" for `role`

    def schema(self, name: str) -> SchemaAccess | None:
        return next((schema for schema in self.schemas if schema.name == name), None)

    @property
    def role_name(self) -> str:
        return self.role_sql or self.role


@dataclass(frozen=True)
class Connection:
    """Who the audit connected as, and where: the first line of its report."""

    role: str
    database: str
    host: str
