"""Writing a file in one step: a reader (or a crash) sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from statsig_sources.core.errors import InputError


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
    """Replace `path` with `text` in one step. A file system error is an input error naming the path."""
    try:
        temp = staged_write(path, text)
        try:
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InputError(f"cannot write {path}: {error}") from None
