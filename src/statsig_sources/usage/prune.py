"""Exposures that would hold dbt hostage: those that depend on a model gone from the project's files.

dbt refuses to parse a project whose exposure depends on a model it cannot find ("Exposure ... depends
on a node named 'statsig_payments' which was not found"), so after a model is renamed or deleted the
exposures file `usage --write-exposures` wrote breaks every dbt command until it is fixed. Fixing it
needs no manifest (there is none: `dbt parse` fails), no key and no network: the models are read
from the project's files (artifacts/model_files.py), each exposure's `depends_on` entries are read as dbt
reads them (Jinja `ref()` calls), and an exposure goes when any model it depends on is gone.

`usage --write-exposures` leaves the same exposures out of what it writes (`without_gone_models`), so
the last good manifest, which still names the old model, cannot write the stale reference back.

The file is edited, not rewritten: each exposure that goes is cut out of the text, and every other
byte is kept, whichever form the exposures are in (their Statsig ids in `config.meta`, as this version
writes them, or in a top-level `meta`, as 0.1.0 did) and whatever else the file holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from statsig_sources.artifacts.model_files import ModelFiles
from statsig_sources.support.errors import InputError
from statsig_sources.usage.exposures import exposure_names
from statsig_sources.usage.join import Metric, Usage


@dataclass(frozen=True)
class Gone:
    """An exposure that depends on models gone from the project's files."""

    name: str
    metric_id: str | None  # the Statsig metric it shows, read from either form of its meta
    models: tuple[str, ...]  # the refs that no longer resolve, as written (`statsig_payments`, `orders v2`)


def gone_refs(depends_on: Sequence[Any], models: ModelFiles) -> tuple[str, ...]:
    """The `ref()` entries of `depends_on` that name a model of this project no file defines. A
    `source()`, a ref into another package, or an entry that is not a ref call is never gone."""
    found = []
    for entry in depends_on:
        ref = _ref(entry) if isinstance(entry, str) else None
        if ref is None:
            continue
        package, name, version = ref
        if package not in (None, models.project_name):
            continue
        if not models.has(name, version):
            found.append(name if version is None else f"{name} v{version}")
    return tuple(found)


def _ref(entry: str) -> tuple[str | None, str, str | None] | None:
    """`(package, name, version)` of a `ref(...)` entry, read with Jinja's parser; None otherwise."""
    from jinja2 import Environment, nodes
    from jinja2.exceptions import TemplateSyntaxError

    try:
        template = Environment().parse("{{ " + entry + " }}")
    except (TemplateSyntaxError, RecursionError):
        return None
    output = template.body[0] if len(template.body) == 1 else None
    call = output.nodes[0] if isinstance(output, nodes.Output) and len(output.nodes) == 1 else None
    if not isinstance(call, nodes.Call) or not isinstance(call.node, nodes.Name) or call.node.name != "ref":
        return None
    args = [arg.value for arg in call.args if isinstance(arg, nodes.Const) and isinstance(arg.value, str)]
    if len(args) != len(call.args) or len(args) not in (1, 2):
        return None
    version = next((kw.value for kw in call.kwargs if kw.key in ("v", "version")), None)
    shown = str(version.value) if isinstance(version, nodes.Const) else None
    return (args[0] if len(args) == 2 else None, args[-1], shown)


@dataclass(frozen=True)
class Pruned:
    """What pruning a file did: the exposures that went, and the file's new text."""

    gone: tuple[Gone, ...]
    text: str


def prune_exposures(path: Path, text: str, models: ModelFiles) -> Pruned:
    """`text` (the file at `path`) without the exposures that depend on a model gone."""
    import yaml

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError) as error:
        raise InputError(f"{path} is not YAML dbt can read: {_first_line(error)}") from None
    key, sequence = _exposures(root)
    if key is None or sequence is None:
        return Pruned((), text)
    if sequence.flow_style:
        raise InputError(
            f"{path} lists its exposures in YAML's flow style (`[...]`); only a block list (`- name: ...`) "
            "is edited: remove the exposures on missing models by hand"
        )
    found = [(item, _gone(item, models)) for item in sequence.value]
    going = [(item, gone) for item, gone in found if gone is not None]
    if not going:
        return Pruned((), text)
    lines = text.splitlines(keepends=True)
    starts = [sequence.start_mark.line, *(_next_start(lines, item) for item in sequence.value[:-1])]
    ends = [*starts[1:], _last_end(lines, sequence)]
    cut = {
        number
        for item, start, end in zip(sequence.value, starts, ends, strict=True)
        if any(item is gone_item for gone_item, _ in going)
        for number in range(start, end)
    }
    kept = [line for number, line in enumerate(lines) if number not in cut]
    if len(going) == len(sequence.value):
        kept[key.start_mark.line] = lines[key.start_mark.line][: key.end_mark.column] + ": []\n"
    return Pruned(tuple(gone for _, gone in going), "".join(kept))


def _exposures(root: Any) -> tuple[Any, Any]:
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return None, None
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "exposures":
            return key, value if isinstance(value, yaml.SequenceNode) else None
    return None, None


def _gone(item: Any, models: ModelFiles) -> Gone | None:
    import yaml

    exposure = yaml.safe_load(yaml.serialize(item)) if isinstance(item, yaml.MappingNode) else None
    if not isinstance(exposure, dict):
        return None
    depends_on = exposure.get("depends_on")
    missing = gone_refs(depends_on if isinstance(depends_on, list) else [], models)
    if not missing:
        return None
    return Gone(str(exposure.get("name")), _metric_id(exposure), missing)


def _metric_id(exposure: Mapping[str, Any]) -> str | None:
    """The Statsig metric id under `config.meta` (this version's form), else under `meta` (0.1.0's)."""
    for holder in (exposure.get("config"), exposure):
        meta = holder.get("meta") if isinstance(holder, Mapping) else None
        metric = meta.get("statsig_metric") if isinstance(meta, Mapping) else None
        if isinstance(metric, Mapping) and metric.get("id") is not None:
            return str(metric["id"])
    return None


def _next_start(lines: list[str], item: Any) -> int:
    """Where the item after `item` starts: the comments and blank lines just above its `-` are its."""
    start = _line_after(lines, item.end_mark)
    while start - 1 > item.start_mark.line and (not lines[start - 1].strip() or _comment(lines[start - 1])):
        start -= 1
    return start


def _line_after(lines: list[str], mark: Any) -> int:
    """The first line after a node that ends at `mark`: a block node ends where the next token begins
    (at the start of its line), a flow one (`{...}`) after its last character, within its line."""
    line, column = int(mark.line), int(mark.column)
    return line + 1 if line < len(lines) and lines[line][:column].strip() else line


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _last_end(lines: list[str], sequence: Any) -> int:
    """The line after the list's last item: where the list ends, less the blank lines and the comments
    indented less than its `-` before that (they belong to what follows)."""
    end = _line_after(lines, sequence.end_mark)
    dash = int(sequence.start_mark.column)
    while end > sequence.value[-1].start_mark.line + 1:
        line = lines[end - 1] if end - 1 < len(lines) else ""
        indent = len(line) - len(line.lstrip())
        if line.strip() and not (_comment(line) and indent < dash):
            break
        end -= 1
    return end


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def without_gone_models(usage: Usage, models: ModelFiles) -> tuple[Usage, tuple[Gone, ...]]:
    """`usage` less every metric that reads a source whose model is gone from the project's files (so
    `--write-exposures` never writes an exposure dbt cannot parse), and the exposures left out."""
    gone = {entry.source.model for entry in usage.sources if not models.has(entry.source.model)}
    reading: dict[str, set[str]] = {}
    metrics: dict[str, Metric] = {}
    for entry in usage.sources:
        for metric in entry.metrics:
            metrics[metric.id] = metric
            if entry.source.model in gone:
                reading.setdefault(metric.id, set()).add(entry.source.model)
    if not reading:
        return usage, ()
    names = exposure_names(list(metrics.values()))
    kept = tuple(
        replace(entry, metrics=tuple(metric for metric in entry.metrics if metric.id not in reading))
        for entry in usage.sources
    )
    left_out = tuple(
        Gone(names[metric_id], metric_id, tuple(sorted(models_gone)))
        for metric_id, models_gone in sorted(reading.items(), key=lambda item: names[item[0]])
    )
    return replace(usage, sources=kept), left_out
