"""What reading a piece of SQL answers, and those answers remembered between runs, sealed.

Parsing the governed views' compiled SQL is most of what `validate` does on a large project, and from
one run to the next little of that SQL changes. Each answer is remembered under a digest of the SQL
(and of whether it was read as a query or an expression) in `statsig_sources_sql_reads.json`, in dbt's
target directory beside manifest.json.

An answer decides whether the governance proof passes, and anyone who can put a file in the target
directory (a pull request, a restored CI cache, a downloaded artifact) could write one. So the file is
sealed (support/sealed.py): an HMAC-SHA256, under a key only this user on this machine knows, of the exact
bytes of everything else in it. An answer is trusted only when the seal is right and the sqlglot
version, the dialect and the code that decides answers are the ones that wrote it. Anything else — no
key, another key, another reader, an edited or truncated file, a symbolic link, a file that is not this
tool's — is never an error: the SQL is parsed again, and the file replaced.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import msgspec

from statsig_sources.artifacts.relations import TableRef
from statsig_sources.support.errors import SqlParseError
from statsig_sources.support.sealed import read_sealed, write_sealed

MAX_CACHE_BYTES = 256 * 1024 * 1024
# The modules whose code decides an answer; a change to any of them is another reader.
READER_MODULES = ("statsig_sources.sql.parse", "statsig_sources.sql.functions")
_SEAL_CONTEXT = b"statsig-sources sql reads 2\0"


@dataclass(frozen=True)
class SqlReads:
    """What a piece of SQL reads: the relations it names, and what else it uses that the proof does not
    accept (a table function, a file reader, SQL in a string...), each described for a message."""

    tables: frozenset[TableRef]
    refused: tuple[str, ...] = ()


# What a piece of SQL reads, or why it does not parse.
SqlResult = SqlReads | SqlParseError


class _Answer(msgspec.Struct, array_like=True):
    tables: list[tuple[str | None, str | None, str]]
    error: str | None = None
    refused: list[str] = []


class _Body(msgspec.Struct):
    reader: str  # a digest of sqlglot's version and of the code that decides answers with it
    dialect: str
    answers: dict[str, _Answer]


_BODY = msgspec.json.Decoder(_Body)


def sql_digest(sql: str, is_query: bool) -> str | None:
    """The key an answer is remembered under; None for text UTF-8 cannot encode (never remembered)."""
    try:
        data = sql.encode("utf-8")
    except UnicodeEncodeError:
        return None
    how = b"query" if is_query else b"expression"
    return hashlib.blake2b(data, digest_size=16, person=how).hexdigest()


@cache
def _reader() -> str | None:
    """Who answers: a digest of sqlglot's version file (its version and commit) and of the modules that
    decide answers with it (the package's own version does not change while that code does). None are
    imported to find it. None when any cannot be read: nothing is then trusted."""
    digest = hashlib.sha256()
    files = [("sqlglot", "_version.py")] + [(module, None) for module in READER_MODULES]
    for module, file in files:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return None
        try:
            digest.update((Path(origin).with_name(file) if file else Path(origin)).read_bytes())
        except OSError:
            return None
    return digest.hexdigest()


def load_answers(path: Path, dialect: str) -> dict[str, SqlResult]:
    """The answers remembered at `path` for `dialect`, sealed by this user's key and written by this
    reader; {} when there are none to trust."""
    reader = _reader()
    data = read_sealed(path, _SEAL_CONTEXT, MAX_CACHE_BYTES) if reader is not None else None
    if data is None:
        return {}
    try:
        body = _BODY.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return {}
    if body.reader != reader or body.dialect != dialect:
        return {}
    return {digest: _result(answer) for digest, answer in body.answers.items()}


def save_answers(path: Path, dialect: str, answers: Mapping[str, SqlResult]) -> None:
    """Remember `answers` (and only them) at `path`, sealed (support/sealed.py)."""
    reader = _reader()
    if reader is None:
        return
    body = msgspec.json.encode(_Body(reader, dialect, {digest: _answer(r) for digest, r in answers.items()}))
    write_sealed(path, _SEAL_CONTEXT, body)


def _answer(result: SqlResult) -> _Answer:
    if isinstance(result, SqlParseError):
        return _Answer([], str(result))
    ordered = sorted(result.tables, key=lambda table: (table.database or "", table.schema or "", table.name))
    tables = [(table.database, table.schema, table.name) for table in ordered]
    return _Answer(tables, None, list(result.refused))


def _result(answer: _Answer) -> SqlResult:
    if answer.error is not None:
        return SqlParseError(answer.error)
    tables = frozenset(TableRef(database, schema, name) for database, schema, name in answer.tables)
    return SqlReads(tables, tuple(answer.refused))
