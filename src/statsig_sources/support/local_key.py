"""A secret only this user on this machine knows: the key that seals the files the tool writes for itself
and trusts again (the SQL answers it remembers in dbt's target directory, sql/answers.py).

Made once with `secrets`: 32 random bytes in `statsig-sources/sql-reads.key` under the user's cache
directory ($XDG_CACHE_HOME, else ~/.cache), the file mode 0600 in a directory of mode 0700. A key that
someone else could know or replace is not used: a file or directory that is a symbolic link, is not
the user's, or is readable (the file) or writable (the directory) by the group or others. Without a key
nothing is remembered or trusted, so every run parses its SQL: correct, only slower; one warning says why.

`STATSIG_SOURCES_CACHE_KEY`, when set, is the key instead: a secret CI jobs share on purpose, so that
what one job remembered in a shared target directory the next one trusts (docs/security.md).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from statsig_sources.support.files import read_private_file

SHARED_KEY_VARIABLE = "STATSIG_SOURCES_CACHE_KEY"
SHARED_KEY_MIN_LENGTH = 32
KEY_FILE = Path("statsig-sources") / "sql-reads.key"
KEY_BYTES = 32

logger = logging.getLogger(__name__)
_warned: set[str] = set()


def sealing_key() -> bytes | None:
    """The key answers are sealed with: the shared one when the variable is set, else this user's own
    (made on first use); None when neither can be trusted."""
    shared = os.environ.get(SHARED_KEY_VARIABLE, "")
    if shared:
        if len(shared) < SHARED_KEY_MIN_LENGTH:
            _warn(f"{SHARED_KEY_VARIABLE} is shorter than {SHARED_KEY_MIN_LENGTH} characters")
            return None
        return os.fsencode(shared)
    try:
        path = key_path()
    except (RuntimeError, KeyError):  # no home directory to find a cache directory in
        _warn("there is no home directory (set XDG_CACHE_HOME or HOME)")
        return None
    return user_key(path)


def key_path() -> Path:
    """Where this user's key lives: under $XDG_CACHE_HOME when it is an absolute path, else ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / KEY_FILE


def user_key(path: Path) -> bytes | None:
    """The key at `path`, made there when there is none; None (with a warning) when it cannot be trusted."""
    try:
        problem = _key_problem(path)
    except OSError as error:
        problem = f"cannot use a key at {path}: {error.strerror or error}"
    if problem is None:
        key = read_private_file(path, KEY_BYTES)
        if key is not None and len(key) == KEY_BYTES:
            return key
        problem = f"{path} is not a key this tool made"
    _warn(problem)
    return None


def _key_problem(path: Path) -> str | None:
    """Why the key at `path` (made first, when there is none) cannot be trusted; None when it can."""
    problem = _untrusted_directory(path.parent) if os.path.lexists(path.parent) else None
    if problem is None and not os.path.lexists(path):
        problem = _make_key(path)
    return problem if problem is not None else _untrusted_file(path)


def _owner_and_mode(path: Path) -> tuple[int, int]:
    status = os.lstat(path)
    return status.st_uid, status.st_mode


def _foreign(path: Path, owner: int) -> str | None:
    uid = getattr(os, "getuid", None)  # Windows has no owners to compare, and no mode bits to check
    if uid is not None and owner != uid():
        return f"{path} belongs to another user"
    return None


def _untrusted_directory(directory: Path) -> str | None:
    owner, mode = _owner_and_mode(directory)
    if stat.S_ISLNK(mode) or not stat.S_ISDIR(mode):
        return f"{directory} is not a directory (a symbolic link, or a file)"
    if hasattr(os, "getuid") and mode & 0o022:
        return f"{directory} can be written by other users (mode {stat.S_IMODE(mode):04o}; chmod 700 it)"
    return _foreign(directory, owner)


def _untrusted_file(path: Path) -> str | None:
    try:
        owner, mode = _owner_and_mode(path)
    except OSError as error:
        return f"cannot read {path}: {error.strerror}"
    if not stat.S_ISREG(mode):
        return f"{path} is not a regular file (a symbolic link, a directory or a device)"
    if hasattr(os, "getuid") and mode & 0o077:
        return f"{path} can be read by other users (mode {stat.S_IMODE(mode):04o}; chmod 600 it)"
    return _foreign(path, owner)


def _make_key(path: Path) -> str | None:
    """Write a new key to `path` unless one appears there first (another run making its own at once)."""
    import secrets  # here, with tempfile: only the first run on a machine makes a key
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        problem = _untrusted_directory(path.parent)
        if problem is not None:
            return problem
        handle, temp = tempfile.mkstemp(prefix=".sql-reads.key.", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(KEY_BYTES))
            try:
                os.link(temp, path)  # never replaces a key another run made in the meantime
            except FileExistsError:
                pass
        finally:
            os.unlink(temp)
    except OSError as error:
        return f"cannot make a key at {path}: {error.strerror}"
    return None


def _warn(problem: str) -> None:
    if problem not in _warned:
        _warned.add(problem)
        logger.warning(f"warning: {problem}; SQL answers are not remembered, so every run parses all SQL")
