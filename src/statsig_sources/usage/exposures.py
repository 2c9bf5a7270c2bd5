"""Statsig metrics as dbt exposures, so `dbt docs` shows which metrics read each governed model.

The YAML is deterministic: exposures sorted by name, keys in a fixed order, no timestamps, so a rerun
with nothing changed writes the same bytes. Every string, whichever field it came from, is written
through one function (`scalar`): Jinja delimiters escaped, because dbt renders Jinja in exposure
properties (and `doc()` in descriptions), and characters YAML cannot hold raw written as escapes.
The text is parsed back before it is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any
from urllib.parse import quote

from statsig_sources.support import output
from statsig_sources.support.errors import InputError, RemoteError
from statsig_sources.support.redaction import LONE_SURROGATE, REPLACEMENT
from statsig_sources.usage.join import ManagedSource, Metric, Usage

HEADER = (
    "# Written by `statsig-sources usage --write-exposures`: the Statsig metrics that read each\n"
    "# governed model. Do not edit; rerun the command.\n"
)
EXPOSURE_TYPE = "analysis"
DEFAULT_OWNER = {"name": "Statsig"}  # dbt requires an owner; used when a metric names none
CONSOLE_URL = "https://console.statsig.com/metrics/metric/{id}"  # a best guess: see docs/usage.md
SLUG_PREFIX = "statsig_"
# A `{` opening a Jinja expression, statement or comment.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")
# Characters YAML may not hold raw in a stream (PyYAML's and libyaml's printable set), reads as line
# breaks, or takes for a byte order mark: written as `\uXXXX` escapes, which read back as the same
# character. (JSON's encoding already escapes the C0 controls, `"` and the backslash.)
_NOT_RAW = [*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF]
_YAML_ESCAPES = {code: f"\\u{code:04x}" for code in _NOT_RAW}
# Anything `scalar` must do more than JSON-escape for: a `{`, a surrogate, or one of `_NOT_RAW`.
_SPECIAL = re.compile("[{\ud800-\udfff" + "".join(re.escape(chr(code)) for code in _NOT_RAW) + "]")


def escape_jinja(text: str) -> str:
    """`{{ x }}` becomes `{{ '{' }}{ x }}`: dbt renders it back to the literal text."""
    return _JINJA_OPEN.sub("{{ '{' }}", text)


def slug(name: str) -> str:
    """`statsig_` + the name folded to ASCII, lower-cased, every other run of characters as `_`."""
    return output.slug(name, SLUG_PREFIX)


def exposure_names(metrics: Sequence[Metric]) -> dict[str, str]:
    """Metric id -> exposure name. Metrics whose slugs collide all get `_<8 hex of sha1(id)>`."""
    return output.unique_slugs({metric.id: metric.name for metric in metrics}, SLUG_PREFIX)


def console_url(metric_id: str) -> str:
    return CONSOLE_URL.format(id=quote(metric_id, safe=""))


def _owner(metric: Metric) -> dict[str, str]:
    owner = {}
    if metric.owner_name:
        owner["name"] = metric.owner_name
    if metric.owner_email:
        owner["email"] = metric.owner_email
    return owner or dict(DEFAULT_OWNER)


def _exposure(name: str, metric: Metric, models: Sequence[ManagedSource]) -> dict[str, Any]:
    """One exposure, in a fixed key order. Values are raw text: `_emit` escapes every one."""
    url = console_url(metric.id)
    return {
        "name": name,
        "label": metric.name,
        "type": EXPOSURE_TYPE,
        "description": metric.description or f"Statsig metric {metric.name}.",
        "url": url,
        "owner": _owner(metric),
        "depends_on": [f"ref('{model}')" for model in sorted({source.model for source in models})],
        # Under `config:`, where dbt 1.10 and later read an exposure's meta (a top-level `meta` is
        # deprecated there, and dbt v2 drops it).
        "config": {
            "meta": {
                "statsig_metric": {
                    "id": metric.id,
                    "aggregation": metric.aggregation,
                    "hidden": metric.hidden,
                    "managed_as_code": metric.as_code,
                    "console_url": url,
                }
            }
        },
    }


def _emit(value: Any, indent: str, lines: list[str]) -> None:
    """Block YAML for mappings and lists of mappings/strings; every string goes through `scalar`.

    Written by hand (a fixed shape, about five times faster than PyYAML for thousands of metrics),
    so the one escaping point is here: whatever field a string came from, it is escaped the same way.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{indent}{key}:")
                _emit(item, indent + "  ", lines)
            else:
                lines.append(f"{indent}{key}: {_inline(item)}")
        return
    for item in value:
        if isinstance(item, dict):
            inner: list[str] = []
            _emit(item, indent + "  ", inner)
            lines.append(f"{indent}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        else:
            lines.append(f"{indent}- {_inline(item)}")


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    return scalar(str(value))


def scalar(text: str) -> str:
    """Any text as a YAML double-quoted scalar that dbt reads back literally: Jinja delimiters
    escaped (dbt renders exposure properties), lone surrogates replaced by U+FFFD (they are not text
    and cannot be encoded), and every character YAML may not hold raw (C0 and C1 controls, DEL,
    U+FFFE, U+FFFF) or reads as a line break (NEL, U+2028, U+2029) or a BOM written as an escape."""
    if not _SPECIAL.search(text):  # the common case: nothing but JSON's own escaping to do
        return encode_basestring(text)
    text = LONE_SURROGATE.sub(REPLACEMENT, escape_jinja(text))
    return encode_basestring(text).translate(_YAML_ESCAPES)


def exposures_yaml(usage: Usage) -> str:
    """dbt exposures YAML: one exposure per metric that reads at least one managed source.

    The text is parsed back (with the loader dbt uses) before it is returned, so what `usage`
    writes, and what `--check` compares, is always a file dbt can read.
    """
    metrics: dict[str, Metric] = {}
    models: dict[str, list[ManagedSource]] = {}
    for entry in usage.sources:
        for metric in entry.metrics:
            metrics[metric.id] = metric
            models.setdefault(metric.id, []).append(entry.source)
    names = exposure_names(list(metrics.values()))
    lines: list[str] = []
    for metric_id in sorted(metrics, key=lambda metric_id: names[metric_id]):
        _emit([_exposure(names[metric_id], metrics[metric_id], models[metric_id])], "  ", lines)
    body = "exposures:\n" + "".join(line + "\n" for line in lines) if lines else "exposures: []\n"
    text = HEADER + "version: 2\n" + body
    _parses_back(text, len(metrics))
    return text


def _parses_back(text: str, count: int) -> None:
    """Parse `text` with the YAML parser dbt uses (libyaml when PyYAML has it) and count its exposures.

    Events only, no objects: the reader, scanner and parser are where characters YAML cannot hold,
    bad escapes and broken structure fail, and building objects would cost five times as long.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth = found = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                found += depth == 2 and isinstance(event, yaml.MappingStartEvent)
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        raise RemoteError(
            f"The exposures written from Statsig's metrics would not parse as YAML ({error}); "
            "nothing was written."
        ) from None
    if found != count:
        raise RemoteError(
            f"The exposures written from Statsig's metrics read back as {found} exposure(s), not {count}; "
            "nothing was written."
        )


def read_existing(path: Path) -> str | None:
    """The file's text, or None when it does not exist; unreadable or not UTF-8 is an input error."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as error:
        raise InputError(
            f"cannot read {path}: it is not UTF-8 text ({error.reason} at byte {error.start}), so it is "
            "not an exposures file this command wrote; move it aside or pass another --write-exposures"
        ) from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
