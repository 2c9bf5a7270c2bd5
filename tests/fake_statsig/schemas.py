"""The Console API's own schemas (from `statsig-io/docs` at commit 19d1166), ready for jsonschema.

The OpenAPI 3.0 dialect differs from JSON Schema in two ways that matter here: `$ref`s point into
`components/schemas`, and `nullable: true` widens a type to admit null. Both are resolved here.

The schemas do not set `additionalProperties`, so whether Statsig refuses an unknown field is not
documented. The fake is strict by default (unknown fields are refused, so a typo in a payload fails
a test instead of vanishing), and `strict=False` gives the lenient reading.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

OPENAPI_PATH = Path(__file__).with_name("console-api-metrics.openapi.json")


@cache
def _components() -> dict[str, Any]:
    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def _resolve(node: Any, strict: bool, depth: int = 0) -> Any:
    if depth > 20:
        raise ValueError("schema nesting too deep (a recursive $ref?)")
    if isinstance(node, list):
        return [_resolve(item, strict, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = copy.deepcopy(_components()[node["$ref"].rsplit("/", 1)[-1]])
        return _resolve({**target, **{k: v for k, v in node.items() if k != "$ref"}}, strict, depth + 1)
    out = {key: _resolve(value, strict, depth + 1) for key, value in node.items()}
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if strict and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@cache
def validator(name: str, strict: bool = True) -> Draft7Validator:
    """A validator for `components/schemas/<name>`."""
    return Draft7Validator(_resolve(_components()[name], strict))


def problems(name: str, instance: Any, strict: bool = True) -> list[dict[str, str]]:
    """Statsig-shaped `errors[]` entries ({property, errorMessage}) for what `instance` breaks."""
    found = []
    for error in sorted(validator(name, strict).iter_errors(instance), key=lambda e: list(e.path)):
        prop = ".".join(str(part) for part in error.path)
        if error.validator == "required":
            missing = str(error.message).split("'")[1]
            prop = f"{prop}.{missing}" if prop else missing
        elif error.validator == "additionalProperties":
            extra = str(error.message).split("'")[1]
            prop = f"{prop}.{extra}" if prop else extra
        found.append({"property": prop or "(body)", "errorMessage": error.message})
    return found
