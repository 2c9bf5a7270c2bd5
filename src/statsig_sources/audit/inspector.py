"""The seam between the pure checks and a warehouse: one inspector per warehouse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from statsig_sources.audit.facts import Connection, RelationAccess, RoleFacts


class WarehouseInspector(Protocol):
    """Reads a role's access from the catalog, and runs the REVOKE statements the audit built."""

    def connection(self) -> Connection:
        """Who the inspector is connected as, to which database, on which host."""
        ...

    def role_facts(self, role: str) -> RoleFacts | None:
        """The role's privileges on every user schema and relation; None if it does not exist."""
        ...

    def public_facts(self, schema: str) -> RoleFacts:
        """What is granted to PUBLIC (every role) on `schema` and its relations, as a role named PUBLIC."""
        ...

    def grantees(self, schema: str) -> tuple[RelationAccess, ...]:
        """Each relation of `schema` with the grants to named roles on it (the owner's, superusers' and
        PUBLIC's left out)."""
        ...

    def run(self, statements: Sequence[str]) -> None:
        """Runs the statements (REVOKEs built from the catalog's own quoted names), all or none."""
        ...

    def close(self) -> None: ...
