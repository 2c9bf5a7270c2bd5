"""Notices about a manifest that are said once per manifest and target, not by every command.

A stale catalog.json (older than the manifest or its build) is a fact about the manifest, not about
what a command does, and a CI job runs several commands on one manifest: `validate` always reports
it, among its findings; `render`, `plan`, `apply` and `usage` say it only when no command has yet said
it for this manifest (its dbt invocation) and target. What was said is remembered beside the manifest,
in `statsig_sources_notices.json`, for the current manifest only. That file can only keep a warning
from being repeated: a missing, unreadable, forged or foreign one means nothing was said, and a
directory that cannot be written to means the warning is said again next time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from statsig_sources.support.errors import InputError
from statsig_sources.support.files import read_private_file, write_atomically

if TYPE_CHECKING:
    from pathlib import Path

    from statsig_sources.project import Project
    from statsig_sources.rules.violations import Violation

MAX_BYTES = 64 * 1024


def said_once(project: Project, found: Sequence[Violation], *, always: bool = False) -> list[Violation]:
    """`found` less the once-per-manifest notices already said for this manifest and target (all of
    them when `always`: `validate`'s report lists every finding), remembering those said now."""
    from statsig_sources.rules.build_rules import stale_catalog

    notice = stale_catalog(project)
    if notice is None or not any(v.message == notice for v in found):
        return list(found)
    path = project.artifacts.paths.notices
    key = _manifest_key(project)
    said = _said(path, key)
    if notice not in said:
        _remember(path, key, [*said, notice])
    if always or notice not in said:
        return list(found)
    return [violation for violation in found if violation.message != notice]


def _manifest_key(project: Project) -> str:
    manifest = project.manifest
    results = project.invocation_results
    target = (results.target if results is not None else None) or project.settings.target or ""
    return f"{manifest.invocation_id or manifest.generated_at}|{target}"


def _said(path: Path, key: str) -> list[str]:
    data = read_private_file(path, MAX_BYTES)
    try:
        document = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):
        return []
    said = document.get(key) if isinstance(document, dict) else None
    return [notice for notice in said if isinstance(notice, str)] if isinstance(said, list) else []


def _remember(path: Path, key: str, notices: list[str]) -> None:
    try:
        write_atomically(path, json.dumps({key: notices}, ensure_ascii=False, indent=1) + "\n")
    except InputError:
        pass  # a read-only target directory: the notice is said again, which is all it costs
