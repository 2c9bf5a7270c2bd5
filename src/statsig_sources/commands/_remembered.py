"""A command's report remembered for the exact inputs it was made from, so that running it again on
artifacts nothing changed (the usual case in CI and in an editor's save hook) prints the same report
without reading them again.

The key is a digest of everything the report depends on: the bytes of the manifest, the run results, the
catalog and the remembered SQL answers (or their absence), the command, its format and options, and the
code that judges (every file of this package, sqlglot's and msgspec's versions, Python's). Any change to
any of them is another key, and the command runs in full. The file beside the manifest is sealed
(support/sealed.py) like the SQL answers: one forged or edited to pass a manifest that fails is never
trusted. Only a report that completed (exit 0 or 1) is remembered; an input error is said again by
running in full.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import click
import msgspec

from statsig_sources.artifacts.paths import ArtifactPaths, Contents
from statsig_sources.support.local_key import sealing_key
from statsig_sources.support.sealed import read_sealed, write_sealed

_CONTEXT = b"statsig-sources remembered reports 1\0"
MAX_BYTES = 64 * 1024 * 1024
KEPT = 8  # reports kept per file: a CI job that runs text and JSON both finds its own


class Report(msgspec.Struct):
    """What a command printed, line by line, and how it exited."""

    lines: list[tuple[bool, str]] = msgspec.field(default_factory=list)  # (to stderr?, text)
    exit_code: int = 0

    def echo(self, text: str, *, err: bool = False) -> None:
        self.lines.append((err, text))

    def show(self) -> None:
        for err, text in self.lines:
            click.echo(text, err=err)


class _Remembered(msgspec.Struct):
    reports: dict[str, Report]  # key -> report, the most recent last


_REMEMBERED = msgspec.json.Decoder(_Remembered)


@dataclass(frozen=True)
class Inputs:
    """What a report depends on besides the artifacts' bytes."""

    command: str
    options: Sequence[object] = field(default_factory=tuple)  # every option's value, in a stable order


def can_remember(paths: ArtifactPaths) -> bool:
    """Whether a report can be remembered at all: in dbt's target directory, with a key to seal it."""
    return paths.remembered_reports is not None and sealing_key() is not None


def artifacts_digest(contents: Contents, paths: ArtifactPaths) -> bytes:
    """A digest of the artifacts' bytes the command reads (paths.read_contents): the key is of exactly
    what it judged, never of a file read again later."""
    digest = hashlib.sha256()
    for path in (paths.manifest, paths.run_results, paths.catalog):
        data = contents.get(path)
        digest.update(b"absent" if data is None else b"file:" + hashlib.sha256(data).digest())
    return digest.digest()


def report_key(inputs: Inputs, artifacts: bytes, paths: ArtifactPaths) -> str:
    """The digest a report made from these inputs and artifacts (artifacts_digest) is remembered under."""
    digest = hashlib.sha256(_code_digest().encode() + artifacts)
    digest.update(repr((inputs.command, tuple(inputs.options))).encode("utf-8", "backslashreplace"))
    digest.update(_file_digest(paths.sql_answers) if paths.sql_answers is not None else b"none")
    return digest.hexdigest()


def remembered_report(paths: ArtifactPaths, key: str) -> Report | None:
    """The report remembered under `key` beside the manifest, when there is one to trust."""
    found = _read(paths)
    return found.reports.get(key) if found is not None else None


def remember_report(paths: ArtifactPaths, key: str, report: Report) -> None:
    """Remember `report` under `key` (with the most recent others), sealed; silently nothing when it
    cannot be (no key, no place to write)."""
    if paths.remembered_reports is None:
        return
    found = _read(paths)
    reports = {k: r for k, r in (found.reports if found is not None else {}).items() if k != key}
    kept = dict(list(reports.items())[-(KEPT - 1) :])
    kept[key] = report
    write_sealed(paths.remembered_reports, _CONTEXT, msgspec.json.encode(_Remembered(kept)))


def _read(paths: ArtifactPaths) -> _Remembered | None:
    if paths.remembered_reports is None:
        return None
    body = read_sealed(paths.remembered_reports, _CONTEXT, MAX_BYTES)
    try:
        return _REMEMBERED.decode(body) if body is not None else None
    except (msgspec.DecodeError, RecursionError):
        return None


def _file_digest(path: Path) -> bytes:
    try:
        return b"file:" + hashlib.sha256(path.read_bytes()).digest()
    except FileNotFoundError:
        return b"absent"
    except OSError as error:  # unreadable: a key no run can share, so nothing is remembered for it
        return f"unreadable:{error}".encode()


@cache
def _code_digest() -> str:
    """Every file of this package, and the versions of what judges beside it."""
    digest = hashlib.sha256(sys.version.encode())
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    digest.update(msgspec.__version__.encode())
    sqlglot = importlib.util.find_spec("sqlglot")  # its version file, without importing it
    if sqlglot is not None and sqlglot.origin is not None:
        version = Path(sqlglot.origin).with_name("_version.py")
        digest.update(version.read_bytes() if version.is_file() else b"?")
    return digest.hexdigest()
