"""Relation names, normalised so that SQL references and manifest nodes compare equal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TableRef:
    """A relation as `database.schema.name`; a part the SQL left out is `None`.

    Parts are compared case-insensitively (`key()`): dbt's own relations and hand-written SQL rarely
    agree on quoting, and two relations differing only in case in one schema are not something this
    tool supports.
    """

    database: str | None
    schema: str | None
    name: str

    def key(self) -> tuple[str | None, str | None, str]:
        return (
            self.database.casefold() if self.database else None,
            self.schema.casefold() if self.schema else None,
            self.name.casefold(),
        )

    def matches(self, other: TableRef) -> bool:
        """True when every part this reference names equals `other`'s (a missing part matches any)."""
        mine, theirs = self.key(), other.key()
        same_database = mine[0] is None or theirs[0] is None or mine[0] == theirs[0]
        same_schema = mine[1] is None or theirs[1] is None or mine[1] == theirs[1]
        return same_database and same_schema and mine[2] == theirs[2]

    def __str__(self) -> str:
        return ".".join(part for part in (self.database, self.schema, self.name) if part)
