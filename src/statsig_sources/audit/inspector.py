"""The seam between the pure checks and a warehouse: one inspector per warehouse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from statsig_sources.audit.facts import RelationAccess, RoleFacts


class WarehouseInspector(Protocol):
    """Reads a role's access from the catalog, and withdraws it from relations on request."""

    def role_facts(self, role: str) -> RoleFacts | None:
        """The role's privileges on every user schema and relation; None if it does not exist."""
        ...

    def public_facts(self, schema: str) -> RoleFacts:
        """What is granted to PUBLIC (every role) on `schema` and its relations, as a role named PUBLIC."""
        ...

    def revoke(self, role: str, relations: Sequence[RelationAccess]) -> None:
        """Withdraws every privilege the role holds on these relations."""
        ...

    def close(self) -> None: ...
