"""Which rebuilt relations feed a node: the one rule `reload` uses to say a source's data changed.

A view (or an ephemeral model) is transparent: its rows are whatever it reads now, so a rebuild further
up reaches through it. Anything that stores data — a table, an incremental model, a snapshot, a seed,
a materialized view — keeps the rows it had until it is rebuilt itself, so the walk stops at one that
the run did not rebuild. The package's on-run-end check walks by the same rule to say which replaced
relation dropped a governed view (macros/governed_views_check.sql, `_statsig_replaced_upstream`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

# Materializations whose relation holds no rows of its own (dbt's `materialized` config of a model).
TRANSPARENT_MATERIALIZATIONS = frozenset({"view", "ephemeral"})


def is_transparent(resource_type: str, materialized: str | None) -> bool:
    """True for a model that stores no data: a view or an ephemeral model."""
    return resource_type == "model" and materialized in TRANSPARENT_MATERIALIZATIONS


def rebuilt_upstream(
    node_id: str,
    graph: Mapping[str, tuple[str, ...]],
    rebuilt: Collection[str],
    transparent: Collection[str],
) -> tuple[str, ...]:
    """The nearest nodes upstream of `node_id` that the run rebuilt (`rebuilt`), reached through
    `transparent` nodes only: the walk stops at each rebuilt node and at every node that stores data."""
    found: set[str] = set()
    seen = {node_id}
    stack = list(graph.get(node_id, ()))
    while stack:
        parent = stack.pop()
        if parent in seen:
            continue
        seen.add(parent)
        if parent in rebuilt:
            found.add(parent)
        elif parent in transparent:
            stack.extend(graph.get(parent, ()))
    return tuple(sorted(found))
