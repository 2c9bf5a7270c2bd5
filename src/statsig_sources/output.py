"""Output formatting every report shares: the formats, JSON, markdown table cells, atomic writes."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from statsig_sources.core.errors import InputError

FORMATS = ("text", "json", "markdown")


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
