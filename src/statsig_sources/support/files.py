"""Writing a file in one step (a reader, or a crash, sees the old file or the new one, never half of one),
and reading back a file the tool wrote for itself without following a link to something else."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from statsig_sources.support.errors import InputError


def staged_write(path: Path, text: str) -> Path:
    """`text` written to a temporary file beside `path` (removed again if writing fails): rename it onto
    `path` to replace the file in one step."""
    import tempfile  # here: a run that writes nothing (a warm `validate`) does not import it

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


def read_private_file(path: Path, limit: int) -> bytes | None:
    """The bytes of `path` when it is a regular file of at most `limit` bytes, reached without a symbolic
    link (neither the file nor its directory is one); None otherwise, or when it cannot be read.

    For files the tool wrote for itself: a link, a FIFO or a device in their place is never followed,
    waited on or read, and a file too large to be one of them is not read at all.
    """
    if is_link_or_in_one(path):
        return None
    try:  # and opened without following one, should a link have taken the file's place since
        descriptor = os.open(path, os.O_RDONLY | _NO_FOLLOW | _NON_BLOCKING)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return data if len(data) <= limit else None


def is_link_or_in_one(path: Path) -> bool:
    """Whether `path` or its directory is a symbolic link: the tool writes none of its own files there."""
    return any(stat.S_ISLNK(_lstat_mode(place)) for place in (path, path.parent))


def _lstat_mode(path: Path) -> int:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


# Windows has neither flag: there, the checks before and after opening stand alone.
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NON_BLOCKING = getattr(os, "O_NONBLOCK", 0)
