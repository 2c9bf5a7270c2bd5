"""What an inspector reads from a warehouse's catalog about one role: plain, frozen data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RelationAccess:
    """One relation and what the role may do with it (privileges from any grant, PUBLIC included)."""

    schema: str
    name: str
    kind: str  # table, view, materialized view, ...
    privileges: frozenset[str]  # SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    owned: bool  # the role, or a role it belongs to, owns it

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class SchemaAccess:
    """One schema and the schema privileges the role holds there."""

    name: str
    usage: bool  # USAGE granted to the role or a role it belongs to (PUBLIC's default USAGE aside)
    create: bool  # CREATE, from any grant, PUBLIC included
    owned: bool


@dataclass(frozen=True)
class RoleFacts:
    """Everything the checks need about one role."""

    role: str
    superuser: bool
    schemas: tuple[SchemaAccess, ...]
    relations: tuple[RelationAccess, ...]

    def schema(self, name: str) -> SchemaAccess | None:
        return next((schema for schema in self.schemas if schema.name == name), None)
