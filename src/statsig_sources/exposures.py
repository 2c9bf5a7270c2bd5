"""Statsig metrics as dbt exposures, so `dbt docs` shows which metrics read each governed model.

The YAML is deterministic: exposures sorted by name, keys in a fixed order, no timestamps, so a rerun
with nothing changed writes the same bytes. Every string that came from Statsig has its Jinja
delimiters escaped, because dbt renders Jinja in exposure properties (and `doc()` in descriptions).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from json.encoder import encode_basestring
from pathlib import Path
from urllib.parse import quote

from statsig_sources.errors import InputError
from statsig_sources.usage import ManagedSource, Metric, Usage

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
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_YAML_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029\ufeff"}


def escape_jinja(text: str) -> str:
    """`{{ x }}` becomes `{{ '{' }}{ x }}`: dbt renders it back to the literal text."""
    return _JINJA_OPEN.sub("{{ '{' }}", text)


def slug(name: str) -> str:
    """`statsig_` + the name folded to ASCII, lower-cased, every other run of characters as `_`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return SLUG_PREFIX + (_NOT_WORD.sub("_", ascii_name.lower()).strip("_") or "metric")


def exposure_names(metrics: Sequence[Metric]) -> dict[str, str]:
    """Metric id -> exposure name. Metrics whose slugs collide all get `_<8 hex of sha1(id)>`."""
    by_slug: dict[str, list[str]] = {}
    for metric in sorted(metrics, key=lambda m: m.id):
        by_slug.setdefault(slug(metric.name), []).append(metric.id)
    names: dict[str, str] = {}
    for base, ids in by_slug.items():
        for metric_id in ids:
            suffix = "_" + hashlib.sha1(metric_id.encode()).hexdigest()[:8] if len(ids) > 1 else ""
            names[metric_id] = base + suffix
    if len(set(names.values())) != len(names):  # a name that itself ends in a hash: number them all
        ordered = sorted(names)
        names = {metric_id: f"{names[metric_id]}_{i}" for i, metric_id in enumerate(ordered, start=1)}
    return names


def console_url(metric_id: str) -> str:
    return CONSOLE_URL.format(id=quote(metric_id, safe=""))


def _owner(metric: Metric) -> dict[str, str]:
    owner = {}
    if metric.owner_name:
        owner["name"] = escape_jinja(metric.owner_name)
    if metric.owner_email:
        owner["email"] = escape_jinja(metric.owner_email)
    return owner or dict(DEFAULT_OWNER)


def _exposure(name: str, metric: Metric, models: Sequence[ManagedSource]) -> str:
    """One exposure as block YAML. Written by hand: a fixed shape, every string double-quoted, and
    about five times faster than PyYAML for thousands of metrics."""
    url = _quoted(console_url(metric.id))
    owner = _owner(metric)
    lines = [
        f"  - name: {name}",
        f"    label: {_quoted(escape_jinja(metric.name))}",
        f"    type: {EXPOSURE_TYPE}",
        f"    description: {_quoted(escape_jinja(metric.description or f'Statsig metric {metric.name}.'))}",
        f"    url: {url}",
        "    owner:",
        *(f"      {key}: {_quoted(value)}" for key, value in owner.items()),
        "    depends_on:",
        *(f"      - \"ref('{model}')\"" for model in sorted({source.model for source in models})),
        "    meta:",
        "      statsig_metric:",
        f"        id: {_quoted(escape_jinja(metric.id))}",
        f"        aggregation: {_quoted(metric.aggregation)}",
        f"        hidden: {'true' if metric.hidden else 'false'}",
        f"        console_url: {url}",
    ]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """JSON's double-quoted string is a YAML one, once the characters YAML reads as line breaks
    (and the BOM) are escaped too."""
    return encode_basestring(text).translate(_YAML_BREAKS)


def exposures_yaml(usage: Usage) -> str:
    """dbt exposures YAML: one exposure per metric that reads at least one managed source."""
    metrics: dict[str, Metric] = {}
    models: dict[str, list[ManagedSource]] = {}
    for entry in usage.sources:
        for metric in entry.metrics:
            metrics[metric.id] = metric
            models.setdefault(metric.id, []).append(entry.source)
    names = exposure_names(list(metrics.values()))
    ordered = sorted(metrics, key=lambda metric_id: names[metric_id])
    body = "".join(_exposure(names[i], metrics[i], models[i]) for i in ordered)
    return HEADER + "version: 2\n" + ("exposures:\n" + body if body else "exposures: []\n")


def write_atomically(path: Path, text: str) -> None:
    """Write beside `path` and rename into place, so a reader never sees half a file."""
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        temp = Path(temp_name)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, path)
    except OSError as error:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {error}") from None


def read_existing(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error}") from None
