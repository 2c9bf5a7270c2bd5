"""Ownership in Statsig: the marker tag every managed object carries, and what counts as carrying it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statsig_sources.declaration.contract import declaration_contract

# The marker's prefix, which no declaration may use (contract.json's reserved_tag_prefix).
MARKER_PREFIX: str = declaration_contract()["reserved_tag_prefix"]


def default_marker(project_name: str | None) -> str:
    """Unique to this tool and dbt project, so two projects sharing a Statsig project never collide."""
    return f"{MARKER_PREFIX}:{project_name}" if project_name else MARKER_PREFIX


def has_marker(remote: Mapping[str, Any], marker: str) -> bool:
    """Ownership: the exact marker as one of the remote's tags. Nothing else counts: not a prefix,
    not a substring of a `tags` that came back as one string."""
    tags = remote.get("tags")
    return isinstance(tags, list) and any(isinstance(tag, str) and tag == marker for tag in tags)


def other_markers(remote: Mapping[str, Any], marker: str) -> list[str]:
    """Tags of `remote` that look like another project's ownership marker."""
    tags = remote.get("tags")
    prefix = MARKER_PREFIX.casefold()
    return [
        tag
        for tag in (tags if isinstance(tags, list) else ())
        if isinstance(tag, str) and tag != marker and tag.strip().casefold().startswith(prefix)
    ]


def marker_project(tag: str) -> str:
    """The dbt project another statsig-sources marker names: `shop` for
    `managed-by:statsig-sources:shop`; empty for the bare prefix (a project without a name)."""
    rest = tag.strip()[len(MARKER_PREFIX) :]
    return rest[1:] if rest.startswith(":") else rest


def owners(tags: list[str]) -> str:
    """`the statsig-sources project 'shop' (marker 'managed-by:statsig-sources:shop')`, for each tag."""
    named = []
    for tag in tags:
        project = marker_project(tag)
        who = f"the statsig-sources project {project!r}" if project else "a statsig-sources project"
        named.append(f"{who} (marker {tag!r})")
    return " and ".join(named)
