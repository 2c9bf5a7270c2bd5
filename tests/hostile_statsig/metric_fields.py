"""Every text field of a Statsig metric, read from the OpenAPI document, and hostile metrics built
from them: one metric per field, with that field holding Jinja, control characters and more."""

from __future__ import annotations

from typing import Any

from statsig_sources.standin import make_metric
from statsig_sources.standin.schemas import document

Path_ = tuple[str | int, ...]
# Jinja that would print the key if dbt evaluated it, a `doc()` call, every kind of delimiter, and
# characters YAML cannot hold raw (DEL, C1 controls, NEL, a line separator, non-characters).
PAYLOAD = (
    "{{ env_var('STATSIG_CONSOLE_API_KEY') }} {% if true %}x{% endif %} {# note #} {{ doc('x') }} "
    'quote " backslash \\ \x7f \x80 \x85 \x9f \u2028 \ufeff \ufffe \uffff tab\tnewline\n# end'
)


def string_paths(schema_name: str = "ExternalMetricDefinitionContractDto") -> list[Path_]:
    """Paths to every string-typed field, through nested objects and the first item of arrays."""
    schemas = document("console-api-metrics.openapi.json")["components"]["schemas"]
    found: list[Path_] = []
    stack: list[tuple[dict[str, Any], Path_]] = [(schemas[schema_name], ())]
    while stack:
        schema, path = stack.pop()
        ref = schema.get("$ref") or next(
            (part["$ref"] for part in schema.get("allOf", ()) if "$ref" in part), None
        )
        if ref:
            schema = schemas[ref.rsplit("/", 1)[-1]]
        kind = schema.get("type")
        if kind == "string":
            found.append(path)
        elif kind == "array" and len(path) < 8:
            stack.append((schema.get("items", {}), (*path, 0)))
        for key, inner in schema.get("properties", {}).items():
            stack.append((inner, (*path, key)))
    return sorted(found, key=lambda p: [str(part) for part in p])


def dotted(path: Path_) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def set_path(target: dict[str, Any], path: Path_, value: Any) -> None:
    current: Any = target
    for part, following in zip(path, (*path[1:], None), strict=True):
        if following is None:
            if isinstance(part, int):
                current[:] = [value]
            else:
                current[part] = value
            return
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            if not current or not isinstance(current[0], type(empty)):
                current[:] = [empty]
            current = current[0]
        else:
            if not isinstance(current.get(part), type(empty)):
                current[part] = empty
            current = current[part]


def hostile_metrics(source: str, payload: str = PAYLOAD) -> list[tuple[Path_, dict[str, Any]]]:
    """One metric per text field, reading `source`, with that field set to `payload`."""
    metrics = []
    for index, path in enumerate(string_paths()):
        metric = make_metric(f"Field {index:03d}", source, aggregation="count")
        metric["id"] = f"field-{index:03d}::user_warehouse"
        set_path(metric, path, payload + (f" {index:03d}" if path in (("id",), ("name",)) else ""))
        metrics.append((path, metric))
    return metrics


def value_at(document: Any, path: Path_) -> Any:
    """The value at `path` (keys and list indexes) inside `document`."""
    for key in path:
        document = document[key]
    return document


# Statsig field -> the exposure property the exposures writer shows it in (and dbt docs displays).
SHOWN_IN_EXPOSURE: dict[Path_, tuple[str, ...]] = {
    ("name",): ("label",),
    ("description",): ("description",),
    ("owner", "name"): ("owner", "name"),
    ("owner", "ownerName"): ("owner", "name"),
    ("owner", "ownerEmail"): ("owner", "email"),
    ("id",): ("config", "meta", "statsig_metric", "id"),
    ("warehouseNative", "aggregation"): ("config", "meta", "statsig_metric", "aggregation"),
}
