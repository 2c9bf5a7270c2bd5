"""Output formatting every report shares: the formats, JSON, markdown table cells, atomic writes."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# Atomic writes belong to the core (its SQL cache is written so too); the commands import them from here.
from statsig_sources.support.files import staged_write as staged_write
from statsig_sources.support.files import write_atomically as write_atomically

FORMATS = ("text", "json", "markdown")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def to_json(data: Any, *, sort_keys: bool = False) -> str:
    """A JSON report: indented, keys in the order given (or sorted), non-ASCII text kept as it is."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=sort_keys)


def markdown_cell(text: str) -> str:
    """Text that stays inside one markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def slug(name: str, prefix: str = "", empty: str = "metric") -> str:
    """`prefix` + the name folded to ASCII (NFKD), lower-cased, every other run of characters as `_`,
    leading and trailing `_` dropped; `empty` when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return prefix + (_NOT_WORD.sub("_", ascii_name.lower()).strip("_") or empty)


def unique_slugs(names: Mapping[str, str], prefix: str = "") -> dict[str, str]:
    """Key -> the slug of its name. Keys whose slugs collide all get `_<8 hex of sha1(key)>`, so a slug
    depends only on its own key, never on the order the names come in."""
    by_slug: dict[str, list[str]] = {}
    for key in sorted(names):
        by_slug.setdefault(slug(names[key], prefix), []).append(key)
    slugs: dict[str, str] = {}
    for base, keys in by_slug.items():
        for key in keys:
            suffix = "_" + hashlib.sha1(key.encode()).hexdigest()[:8] if len(keys) > 1 else ""
            slugs[key] = base + suffix
    if len(set(slugs.values())) != len(slugs):  # a name that itself ends in a hash: number them all
        slugs = {key: f"{slugs[key]}_{i}" for i, key in enumerate(sorted(slugs), start=1)}
    return slugs
