"""Statsig's own Console API schemas (the OpenAPI documents in statsig/openapi/), ready for jsonschema.

The documents are parts of `console-api/capiopenapi.json` in the public `statsig-io/docs` repository at
commit 19d1166: the metrics paths, and the experiment and pulse paths. Their shared schemas are
identical, so one `components/schemas` table serves both.

The OpenAPI 3.0 dialect differs from JSON Schema in two ways that matter here: `$ref`s point into
`components/schemas`, and `nullable: true` widens a type to admit null. Both are resolved here.

The schemas do not set `additionalProperties`, so whether Statsig refuses an unknown field is not
documented. The stand-in is strict by default (unknown fields are refused, so a typo in a payload fails
a test instead of vanishing), and `strict=False` gives the lenient reading.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft7Validator

DOCUMENTS = ("console-api-metrics.openapi.json", "console-api-experiments-pulse.openapi.json")
# The deepest JSON the stand-in validates. jsonschema recurses once per level (several frames each), so a
# body or a seed nested deeper is refused before it is validated; Statsig's schemas need fewer than ten.
MAX_DEPTH = 64


@cache
def document(name: str) -> dict[str, Any]:
    """One of the shipped OpenAPI documents, parsed."""
    text = files("statsig_sources.statsig").joinpath("openapi", name).read_text(encoding="utf-8")
    parsed: dict[str, Any] = json.loads(text)
    return parsed


@cache
def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name in DOCUMENTS:
        schemas.update(document(name)["components"]["schemas"])
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


@cache
def response_validator(path: str, method: str, status: str = "200") -> Draft7Validator:
    """A lenient validator for the answer the documents give `method path` (a path as the documents
    write it, such as `/console/v1/experiments/{id}`) with that status."""
    for name in DOCUMENTS:
        operation = document(name)["paths"].get(path, {}).get(method.lower())
        if operation is not None:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            return Draft7Validator(_resolve(schema, strict=False))
    raise KeyError(f"{method} {path} is in neither OpenAPI document")


@cache
def parameter_validator(path: str, method: str, parameter: str) -> Draft7Validator:
    """A validator for one query parameter of `method path`, as the documents declare it."""
    for name in DOCUMENTS:
        operation = document(name)["paths"].get(path, {}).get(method.lower())
        for declared in (operation or {}).get("parameters", []):
            if declared["name"] == parameter:
                return Draft7Validator(_resolve(declared["schema"], strict=True))
    raise KeyError(f"{method} {path} has no parameter {parameter}")


def problems(name: str, instance: Any, strict: bool = True) -> list[dict[str, str]]:
    """Statsig-shaped `errors[]` entries ({property, errorMessage}) for what `instance` breaks."""
    return errors_of(validator(name, strict), instance)


def errors_of(checker: Draft7Validator, instance: Any) -> list[dict[str, str]]:
    """`{property, errorMessage}` entries, sorted by property path, for what `instance` breaks."""
    found = []
    for error in sorted(checker.iter_errors(instance), key=lambda e: list(e.path)):
        prop = ".".join(str(part) for part in error.path)
        if error.validator in ("required", "additionalProperties"):
            named = str(error.message).split("'")[1]
            prop = f"{prop}.{named}" if prop else named
        found.append({"property": prop or "(body)", "errorMessage": error.message})
    return found


def nesting(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply `value` nests lists and objects, counted up to `limit + 1` (iteratively: a value
    nested deeper than the stack allows is measured too)."""
    deepest = 0
    stack = [(value, 1)]
    while stack and deepest <= limit:
        current, depth = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, depth + 1) for child in children)
    return deepest
