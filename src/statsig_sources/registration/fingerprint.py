"""Fingerprints of what a plan was made from, so a saved plan can tell whether it still holds.

Two fingerprints, each `kind -> key -> field -> digest`:

- **Statsig's**: every object the plan read (the client's log of reads: every source and metric
  listed, and whatever else planning asked for), not only those the plan changes, since a metric that
  appears on a source, or an analyst's edit of a source the plan leaves alone, changes what applying
  means. An object is keyed by its name (a source) or id (a metric, an experiment). Its fields are
  those the plan can compare or carry into an update: the fields of the update's schema in Statsig's
  OpenAPI document, and those the client reads (`statsig/shapes.py`'s models). Server metadata such as
  `createdTime` and `lastModifiedTime` is neither, so it never makes a plan stale.
- **the declarations'**: every source and metric payload the project declares, field by field.

Values are compared in one normal form: null and absent, and an empty text, list or object, are the
same (Statsig answers either); text is compared without surrounding whitespace; lists that are sets
to Statsig (tags, unit mappings, criteria, ...) in sorted order; a metric's `warehouseNative` field by
field. A digest is the first 16 hex digits of the SHA-256 of the value's canonical JSON: a file of
digests says what changed, not what Statsig holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from statsig_sources.registration.merge import METRIC_FIELDS, NATIVE_FIELDS, SOURCE_FIELDS, is_empty
from statsig_sources.statsig.shapes import EXPERIMENT, METRIC, PULSE_LOAD, SOURCE, Shape

# kind -> key -> field -> digest
Fingerprint = dict[str, dict[str, dict[str, str]]]

DIGEST_LENGTH = 16
NATIVE = "warehouseNative"
SHAPES: Mapping[str, Shape] = {shape.kind: shape for shape in (SOURCE, METRIC, EXPERIMENT, PULSE_LOAD)}
# Per kind, the fields compared: what an update sends and what the client reads.
FIELDS: Mapping[str, frozenset[str]] = {
    "source": SOURCE_FIELDS | {"name"} | frozenset(SOURCE.fields),
    "metric": METRIC_FIELDS | {"id", "name", "type"} | frozenset(METRIC.fields),
}
NESTED_FIELDS: Mapping[str, frozenset[str]] = {
    NATIVE: NATIVE_FIELDS | frozenset(METRIC.fields[NATIVE].fields),
}
# Lists whose order Statsig does not keep or use: compared as sets.
SETS = frozenset(
    {
        "tags",
        "unitTypes",
        "idTypeMapping",
        "customFieldMapping",
        "metricDimensionColumns",
        "criteria",
        "denominatorCriteria",
        "primaryMetrics",
        "secondaryMetrics",
        "otherMetrics",
        "primaryMetricTags",
        "secondaryMetricTags",
    }
)


def statsig_fingerprint(reads: Iterable[tuple[str, Mapping[str, Any]]]) -> Fingerprint:
    """The fingerprint of every object in a client's log of reads (the first reading of each)."""
    found: Fingerprint = {}
    for kind, item in reads:
        objects = found.setdefault(kind or "object", {})
        key = object_key(kind, item)
        if key not in objects:
            objects[key] = field_digests(item, _fields(kind, item))
    return found


def declarations_fingerprint(declared: Mapping[str, Sequence[Mapping[str, Any]]]) -> Fingerprint:
    """The fingerprint of the declared payloads of each kind, every field of each."""
    return {
        kind: {str(body.get("name")): field_digests(body, body) for body in bodies}
        for kind, bodies in declared.items()
    }


def object_key(kind: str, item: Mapping[str, Any]) -> str:
    """A source by its name; anything else by its id when it has one."""
    key = item.get("name") if kind == "source" else item.get("id") or item.get("name")
    return str(key)


def _fields(kind: str, item: Mapping[str, Any]) -> Iterable[str]:
    if kind in FIELDS:
        return FIELDS[kind]
    shape = SHAPES.get(kind)
    return shape.fields if shape is not None else item


def field_digests(item: Mapping[str, Any], fields: Iterable[str]) -> dict[str, str]:
    """`field -> digest` for each field of `fields` that `item` holds a non-empty value in, a nested
    object of NESTED_FIELDS field by field (`warehouseNative.cap`)."""
    digests = {}
    for name in sorted(set(fields).intersection(item)):  # an absent field is empty: no digest
        value = item[name]
        if name in NESTED_FIELDS and isinstance(value, Mapping):
            inner = field_digests(value, NESTED_FIELDS[name])
            digests.update({f"{name}.{key}": digest for key, digest in inner.items()})
        elif not is_empty(value):
            digests[name] = digest(normal(name, value))
    return digests


def normal(name: str, value: Any) -> Any:
    """`value` in the normal form described above."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {str(key): normal(str(key), inner) for key, inner in value.items() if not is_empty(inner)}
    if isinstance(value, list):
        items = [normal(name, inner) for inner in value]
        return sorted(items, key=_canonical) if name in SETS else items
    return value


def digest(value: Any) -> str:
    return hashlib.sha256(_canonical(value).encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_LENGTH]


def _canonical(value: Any) -> str:
    """`json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`, byte for byte;
    text, booleans, null and whole numbers (most fields) without building an encoder each time, which
    is most of what saving a large plan costs."""
    if isinstance(value, str):
        return _encode_text(value)
    if value is None or isinstance(value, bool):
        return _SCALARS[value]
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_SCALARS = {None: "null", True: "true", False: "false"}
_encode_text = json.encoder.encode_basestring  # json.dumps' own encoder of text when ensure_ascii=False


def differences(before: Fingerprint, now: Fingerprint) -> list[tuple[str, str, str]]:
    """`(kind, key, what)` for each object that appeared, went or changed between two fingerprints;
    `what` is `appeared`, `gone`, or the fields that changed, comma-separated."""
    found = []
    for kind in sorted(set(before) | set(now)):
        old, new = before.get(kind, {}), now.get(kind, {})
        for key in sorted(set(old) | set(new)):
            if key not in old:
                found.append((kind, key, "appeared"))
            elif key not in new:
                found.append((kind, key, "gone"))
            elif old[key] != new[key]:
                fields = sorted(
                    name for name in set(old[key]) | set(new[key]) if old[key].get(name) != new[key].get(name)
                )
                found.append((kind, key, ", ".join(fields)))
    return found
