"""Rendering payloads to metric_sources/<name>.yml, and each code-declared metric's to
metric_sources/metrics/<slug>.yml: deterministic text, atomic writes, a check mode.

A metric's file is named by the slug of its name (output.slug: lower case, every run of characters
other than letters and digits as `_`), since Statsig's metric names may hold `/`, `%`, `:` and spaces;
metrics whose slugs collide each get `_` and 8 hex digits of the SHA-1 of their id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from statsig_sources.project import Project
from statsig_sources.registration.metrics import MetricPayload, build_metric_payloads
from statsig_sources.registration.sources import SourcePayload, build_payloads, check_encodable
from statsig_sources.support.errors import InputError
from statsig_sources.support.output import staged_write, unique_slugs

SUFFIX = ".yml"
METRICS_DIR = "metrics"  # metric_sources/metrics/: one file per code-declared metric
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


def render_text(payload: SourcePayload | MetricPayload, dumper: type[yaml.SafeDumper] | None = None) -> str:
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


def render_files(payloads: list[SourcePayload], metrics: list[MetricPayload] | None = None) -> dict[str, str]:
    """File name (relative to the output directory) -> text: one file per source, one per metric."""
    files = {payload.name + SUFFIX: render_text(payload) for payload in payloads}
    slugs = metric_file_names(metrics or [])
    files.update({slugs[metric.id]: render_text(metric) for metric in metrics or []})
    return files


def metric_file_names(metrics: list[MetricPayload]) -> dict[str, str]:
    """Metric id -> its file's path relative to the output directory (`metrics/order_revenue.yml`)."""
    slugs = unique_slugs({metric.id: metric.name for metric in metrics})
    return {metric_id: f"{METRICS_DIR}/{name}{SUFFIX}" for metric_id, name in slugs.items()}


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
    existing = _existing(output_dir)
    blocking = [_not_a_file(output_dir / name, name) for name in sorted(existing & set(files))]
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


def _existing(output_dir: Path) -> set[str]:
    """The `.yml` names in the output directory and its metrics/ directory, relative to it."""
    if not output_dir.is_dir():
        return set()
    found = {path.name for path in output_dir.glob("*" + SUFFIX)}
    return found | {f"{METRICS_DIR}/{path.name}" for path in (output_dir / METRICS_DIR).glob("*" + SUFFIX)}


def _not_a_file(path: Path, name: str) -> str:
    if path.is_file():
        return ""
    if path.is_dir():
        return f"{name} is a directory"
    if path.is_symlink():
        return f"{name} is a symbolic link to a file that does not exist"
    return f"{name} is not a regular file"


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


def render_project(project: Project, output_dir: Path, *, check: bool) -> RenderDiff:
    """Render every declared source and metric and compare with the files in `output_dir`; write the
    changes unless `check`. Nothing is written when a payload cannot be encoded."""
    payloads, metrics = build_payloads(project), build_metric_payloads(project)
    check_encodable([*payloads, *metrics], "Nothing was written.")
    files = render_files(payloads, metrics)
    diff = diff_output(output_dir, files)
    if not check:
        write_output(output_dir, files, diff)
    return diff
