"""Rendering payloads to metric_sources/<name>.yml: deterministic text, atomic writes, a check mode."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from statsig_sources.core.errors import InputError
from statsig_sources.output import staged_write
from statsig_sources.registration.payloads import SourcePayload

SUFFIX = ".yml"
HEADER = "# Rendered by `statsig-sources render` from dbt's manifest. Do not edit: change the dbt model.\n"


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def make_dumper(base: type[yaml.SafeDumper]) -> type[yaml.SafeDumper]:
    """A stable dumper: multi-line strings as literal blocks, no aliases (no line folding: see width)."""

    class Dumper(base):  # type: ignore[valid-type,misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    Dumper.add_representer(str, _represent_str)
    return Dumper


# libyaml's emitter when PyYAML was built with it (about ten times faster); the pure-Python emitter
# writes the same bytes for these payloads, which tests/python/test_payloads.py checks.
PURE_DUMPER = make_dumper(yaml.SafeDumper)
DUMPER = make_dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper))


def render_text(payload: SourcePayload, dumper: type[yaml.SafeDumper] | None = None) -> str:
    """The file's bytes-to-be: a header line, then the payload's fields in their fixed order."""
    body = yaml.dump(
        payload.body,
        Dumper=dumper or DUMPER,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )
    return HEADER + body


def render_files(payloads: list[SourcePayload]) -> dict[str, str]:
    """File name -> text, one file per source."""
    return {payload.name + SUFFIX: render_text(payload) for payload in payloads}


@dataclass(frozen=True)
class RenderDiff:
    """How the output directory differs from what `render` would write."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    orphaned: tuple[str, ...]  # files render wrote for sources no longer in dbt
    unchanged: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def diff_output(output_dir: Path, files: dict[str, str]) -> RenderDiff:
    """How `output_dir` differs from `files`. A name render must write that is taken by something
    other than a regular file (a directory, a dangling symbolic link) is an input error."""
    existing = {path.name for path in output_dir.glob("*" + SUFFIX)} if output_dir.is_dir() else set()
    blocking = [_not_a_file(output_dir / name) for name in sorted(existing & set(files))]
    if any(blocking):
        problems = "; ".join(problem for problem in blocking if problem)
        raise InputError(f"cannot render into {output_dir}: {problems}: remove or rename it")
    missing, stale, unchanged = [], [], []
    for name, text in sorted(files.items()):
        if name not in existing:
            missing.append(name)
        elif _read(output_dir / name) != text.encode("utf-8"):
            stale.append(name)
        else:
            unchanged.append(name)
    orphaned = sorted(name for name in existing - set(files) if _rendered_by_us(output_dir / name))
    return RenderDiff(tuple(missing), tuple(stale), tuple(orphaned), tuple(unchanged))


def _not_a_file(path: Path) -> str:
    if path.is_file():
        return ""
    if path.is_dir():
        return f"{path.name} is a directory"
    if path.is_symlink():
        return f"{path.name} is a symbolic link to a file that does not exist"
    return f"{path.name} is not a regular file"


def _read(path: Path, first_line: bool = False) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.readline() if first_line else handle.read()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None


def _rendered_by_us(path: Path) -> bool:
    """Only regular files that carry our header are ours to call orphaned (and to remove)."""
    return path.is_file() and _read(path, first_line=True) == HEADER.encode("utf-8")


def write_output(output_dir: Path, files: dict[str, str], diff: RenderDiff) -> None:
    """Write missing and stale files and remove orphaned ones.

    Every new file is first written to a temporary file in the output directory; only when all of
    them are written are they renamed into place, so a failure leaves no half-written file.
    """
    staged: list[tuple[str, Path]] = []
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        for name in (*diff.missing, *diff.stale):
            staged.append((name, staged_write(output_dir / name, files[name])))
        for name, temp in staged:
            os.replace(temp, output_dir / name)
        for name in diff.orphaned:
            (output_dir / name).unlink()
    except OSError as error:
        for _, temp in staged:
            temp.unlink(missing_ok=True)
        raise InputError(f"cannot write to {output_dir}: {error}") from None
