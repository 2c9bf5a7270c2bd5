"""dbt's run_results.json: what the dbt invocation that wrote the manifest built, and how it went.

Read narrowly and tolerantly, like the manifest (fields.py decodes only the fields read). The
results are trusted as build results only when a `dbt run` or `dbt build` wrote them (its
`args.which`) in the same invocation that wrote the manifest (the same `metadata.invocation_id`):
`dbt compile` and `dbt docs generate` rewrite the file with every node a `success`, and `dbt parse`
leaves an older one in place.

The package's on-run-end check (macros/governed_views_check.sql) fails when the run left a governed
view missing that existed when it started; its error, which dbt records as the hook's message, ends
with a marker, `statsig_sources:missing_views={"views": [...], "restore": "..."}`, read here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from statsig_sources.artifacts.fields import RunResult, RunResultsFields, read_fields
from statsig_sources.support.errors import ManifestError

# The commands whose results say whether a model was built.
BUILD_COMMANDS = ("run", "build")
# A model's statuses that mean its relation was not (re)built by the run.
NOT_BUILT = frozenset({"error", "skipped"})
# `args.which` of the commands whose name is two words.
COMMAND_NAMES = {"generate": "docs generate", "serve": "docs serve"}
_SCHEMA_URL = "https://schemas.getdbt.com/dbt/run-results/"
# What the package's on-run-end check writes before the JSON of the relations it found missing.
MISSING_VIEWS_MARKER = "statsig_sources:missing_views="


@dataclass(frozen=True)
class MissingViews:
    """The governed relations the run left missing (`schema.name`, lower case), as its hook said."""

    relations: tuple[str, ...] = ()
    restore: str = ""  # the dbt command that rebuilds them ("" when no model builds them)


@dataclass(frozen=True)
class NodeResult:
    status: str  # success, error, skipped (models); pass, fail, warn, error, skipped (tests)
    message: str = ""


@dataclass(frozen=True)
class RunResults:
    """The fields of run_results.json this tool reads."""

    path: Path
    which: str  # the dbt command: run, build, compile, generate, ...; "" when not recorded
    invocation_id: str
    generated_at: str
    invocation_command: str = ""  # e.g. "dbt build --select +statsig_orders" (dbt 1.8 and later)
    target: str | None = None  # only when the command named one (`--target prod`)
    select: tuple[str, ...] = ()
    full_refresh: bool = False
    nodes: Mapping[str, NodeResult] = field(default_factory=dict)  # unique_id -> result
    missing: MissingViews = MissingViews()

    def status(self, unique_id: str) -> str | None:
        result = self.nodes.get(unique_id)
        return result.status if result is not None else None

    def written_with(self, manifest_invocation_id: str) -> bool:
        """Written by the dbt invocation that wrote the manifest."""
        return bool(self.invocation_id) and self.invocation_id == manifest_invocation_id

    def unchecked_reason(self, manifest_invocation_id: str) -> str | None:
        """Why these results cannot tell whether the manifest's models were built; None when they can."""
        if not self.written_with(manifest_invocation_id):
            return f"{self.path} was written by another dbt invocation than the manifest"
        if self.which not in BUILD_COMMANDS:
            command = f"`{self.command}`" if self.which else "a dbt command that does not record itself"
            hint = (
                " (after a build, `dbt docs generate --no-compile` keeps the build's)"
                if self.which == "generate"
                else ""
            )
            return f"{self.path} was written by {command}, which builds nothing{hint}"
        return None

    @property
    def command(self) -> str:
        """The dbt command line that wrote the results, as dbt recorded it (from its process's
        arguments, which name another program when dbt ran inside one: then only `dbt <command>`)."""
        name = f"dbt {COMMAND_NAMES.get(self.which, self.which)}"
        return (
            self.invocation_command
            if self.invocation_command.startswith(name + " ") or self.invocation_command == name
            else name
        )


def read_run_results(path: Path) -> RunResults | None:
    """The results at `path`, or None when there is no such file."""
    return load_run_results(path) if path.is_file() else None


def load_run_results(path: Path, data: bytes | None = None) -> RunResults:
    fields = read_fields(path, "run results", RunResultsFields, data)
    metadata = fields.metadata if fields is not None else None
    url = metadata.get("dbt_schema_version") if isinstance(metadata, dict) else None
    if (
        fields is None
        or not isinstance(metadata, dict)
        or not isinstance(url, str)
        or not url.startswith(_SCHEMA_URL)
    ):
        raise ManifestError(f"{path} is not dbt's run_results.json: metadata.dbt_schema_version is missing")
    args: dict[str, Any] = fields.args if isinstance(fields.args, dict) else {}
    nodes = _nodes(fields.results)
    return RunResults(
        path=path,
        which=_text(args.get("which")),
        invocation_id=_text(metadata.get("invocation_id")),
        generated_at=_text(metadata.get("generated_at")),
        invocation_command=_text(args.get("invocation_command")),
        target=_text(args.get("target")) or None,
        select=_strings(args.get("select")),
        full_refresh=args.get("full_refresh") is True,
        nodes=nodes,
        missing=missing_views(nodes),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _nodes(results: Any) -> dict[str, NodeResult]:
    nodes = {}
    for result in results if isinstance(results, list) else ():
        if isinstance(result, RunResult) and isinstance(result.unique_id, str):
            nodes[result.unique_id] = NodeResult(_text(result.status), _text(result.message))
    return nodes


def missing_views(nodes: Mapping[str, NodeResult]) -> MissingViews:
    """What the package's on-run-end check found missing: the marker in a failed hook's message."""
    relations: list[str] = []
    restores: list[str] = []
    for unique_id, result in nodes.items():
        if unique_id.startswith("operation.") and result.status == "error":
            found = _marker(result.message)
            views = found.get("views")
            relations += (
                [view.casefold() for view in views if isinstance(view, str)]
                if isinstance(views, list)
                else []
            )
            restore = found.get("restore")
            restores += [restore] if isinstance(restore, str) and restore else []
    return MissingViews(tuple(dict.fromkeys(relations)), " && ".join(dict.fromkeys(restores)))


def _marker(message: str) -> dict[str, Any]:
    """The JSON after the marker in a hook's message (the warehouse may add lines after it); {} if none."""
    start = message.find(MISSING_VIEWS_MARKER)
    if start < 0:
        return {}
    try:
        found, _ = json.JSONDecoder().raw_decode(message, start + len(MISSING_VIEWS_MARKER))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def parse_timestamp(text: str) -> datetime | None:
    """An artifact's `generated_at` (ISO 8601, UTC), or None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
