"""What reading a piece of SQL answers, and those answers remembered between runs.

Parsing the governed views' compiled SQL is most of what `validate` does on a large project, and from
one run to the next little of that SQL changes. Each answer is remembered under a digest of the SQL
(and of whether it was read as a query or an expression) in `statsig_sources_sql_reads.json`, in dbt's
target directory beside manifest.json. The file is safe to delete, replaced in one step, and trusted
only by the sqlglot version, the dialect and the SQL-reading code (core/sql.py) that wrote it: an answer
from any other is read again. A file that is missing, unreadable or not this tool's is ignored; one that
cannot be written costs the next run its parse, nothing else.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import msgspec

from statsig_sources.core.errors import InputError, SqlParseError
from statsig_sources.core.files import write_atomically
from statsig_sources.core.relations import TableRef

# The relations a piece of SQL reads, or why it does not parse.
SqlResult = frozenset[TableRef] | SqlParseError

CACHE_FILE = "statsig_sources_sql_reads.json"
MANIFEST_FILE = "manifest.json"


class _Answer(msgspec.Struct, array_like=True):
    tables: list[tuple[str | None, str | None, str]]
    error: str | None = None


class _CacheDocument(msgspec.Struct):
    reader: str  # a digest of sqlglot's version and of the code that reads SQL with it
    dialect: str
    answers: dict[str, _Answer]


_DECODER = msgspec.json.Decoder(_CacheDocument)


def cache_path(manifest_path: Path) -> Path | None:
    """Where the answers for the project whose manifest is at `manifest_path` are remembered: dbt's
    target directory, the one it wrote `manifest.json` to. A manifest under another name is a copy kept
    elsewhere (a fixture, an artifact saved by hand), and nothing is written beside it."""
    return manifest_path.parent / CACHE_FILE if manifest_path.name == MANIFEST_FILE else None


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
    """Who answers: a digest of sqlglot's version file (its version and commit) and of core/sql.py, the
    code that reads SQL with it (the package's own version does not change while that code does).
    Neither module is imported to find it. None when either cannot be read: nothing is then trusted."""
    digest = hashlib.sha256()
    for module, file in (("sqlglot", "_version.py"), ("statsig_sources.core.sql", None)):
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
    """The answers remembered at `path` for `dialect` by this reader; {} when there are none to trust."""
    reader = _reader()
    try:
        document = _DECODER.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError):
        return {}
    if reader is None or document.reader != reader or document.dialect != dialect:
        return {}
    return {key: _result(answer) for key, answer in document.answers.items()}


def save_answers(path: Path, dialect: str, answers: Mapping[str, SqlResult]) -> None:
    """Remember `answers` (and only them) at `path`; a file system that refuses is not an error."""
    reader = _reader()
    if reader is None:
        return
    document = _CacheDocument(reader, dialect, {key: _answer(result) for key, result in answers.items()})
    try:
        write_atomically(path, msgspec.json.encode(document).decode("utf-8"))
    except InputError:
        pass


def _answer(result: SqlResult) -> _Answer:
    if isinstance(result, SqlParseError):
        return _Answer([], str(result))
    ordered = sorted(result, key=lambda table: (table.database or "", table.schema or "", table.name))
    return _Answer([(table.database, table.schema, table.name) for table in ordered])


def _result(answer: _Answer) -> SqlResult:
    if answer.error is not None:
        return SqlParseError(answer.error)
    return frozenset(TableRef(database, schema, name) for database, schema, name in answer.tables)
