"""Statsig's OpenAPI document for metrics, as the CLI reads it: field names and examples of its schemas.

The document ships with the stand-in (`statsig/openapi/`), from `statsig-io/docs`; it is read here as
plain JSON, without importing the stand-in package (and its JSON Schema validator), so `plan` and
`apply` take their field lists from the same document the stand-in validates against.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

METRICS_DOCUMENT = ("statsig", "openapi", "console-api-metrics.openapi.json")


@cache
def _schemas() -> dict[str, Any]:
    text = files("statsig_sources").joinpath(*METRICS_DOCUMENT).read_text(encoding="utf-8")
    schemas: dict[str, Any] = json.loads(text)["components"]["schemas"]
    return schemas


def properties(schema: str, *inside: str) -> dict[str, Any]:
    """The properties of `components/schemas/<schema>`, or of the object at `inside` (a path of
    property names) within it: `properties("MetricsUpdateContractDto", "warehouseNative")`."""
    node = _schemas()[schema]
    for name in inside:
        node = node["properties"][name]
    found: dict[str, Any] = node["properties"]
    return found


def field_names(schema: str, *inside: str) -> frozenset[str]:
    """The property names `properties` gives."""
    return frozenset(properties(schema, *inside))
