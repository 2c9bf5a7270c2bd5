"""Output formatting every report shares: the formats, JSON, markdown table cells, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from statsig_sources.core.errors import InputError

FORMATS = ("text", "json", "markdown")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def to_json(data: Any, *, sort_keys: bool = False) -> str:
    """A JSON report: indented, keys in the order given (or sorted), non-ASCII text kept as it is."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=sort_keys)


def markdown_cell(text: str) -> str:
    """Text that stays inside one markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def staged_write(path: Path, text: str) -> Path:
    """`text` written to a temporary file beside `path` (removed again if writing fails): rename it onto
    `path` to replace the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: a reader (or a crash) sees the old file or the new one,
    never half of one. A file system error is an input error naming the path."""
    try:
        temp = staged_write(path, text)
        try:
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InputError(f"cannot write {path}: {error}") from None


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
