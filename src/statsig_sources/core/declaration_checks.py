"""The checks `contract.json` describes for a raw `meta.statsig` declaration, walked in the same order
and worded with the same messages as the package's `_statsig_declaration_problems` macro."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from statsig_sources.core.contract import declaration_contract

ROOT = "meta.statsig"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a declaration: the contract's message code, the key path, the sentence."""

    code: str
    path: str
    message: str

    def __str__(self) -> str:
        return self.message


def type_name(value: Any) -> str:
    """How a message names a value's type (the macro names types the same way)."""
    names: Mapping[str, str] = declaration_contract()["type_names"]
    if value is None:
        return names["none"]
    if isinstance(value, bool):
        return names["boolean"]
    if isinstance(value, int | float):
        return names["number"]
    if isinstance(value, str):
        return names["blank"] if not value.strip() else names["string"]
    if isinstance(value, Mapping):
        return names["mapping"]
    if isinstance(value, list | tuple):
        return names["list"]
    return names["other"]


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


class DeclarationChecker:
    """Walks a raw declaration as the contract describes it, collecting problems."""

    def __init__(self, custom_unit_types: Sequence[str]) -> None:
        self.spec = declaration_contract()
        self.custom_unit_types = tuple(custom_unit_types)
        self.problems: list[Problem] = []

    def problem(self, code: str, path: str, **fields: Any) -> None:
        message = self.spec["messages"][code].replace("{path}", path)
        for name, value in fields.items():
            message = message.replace("{" + name + "}", str(value))
        self.problems.append(Problem(code, path, message))

    def check(self, raw: Any, model_name: str) -> dict[str, Any] | None:
        if not isinstance(raw, Mapping):
            self.problem("not_mapping", ROOT, type=type_name(raw))
            return None
        values = self.keys(ROOT, raw, self.spec["keys"])
        self.unit_ids(values.get("unit_ids"))
        self.output_names(values)
        self.exclusive(raw, values)
        self.source_name(raw, values, model_name)
        self.tags(values.get("tags"))
        return values

    def keys(self, path: str, raw: Mapping[Any, Any], specs: Mapping[str, Any]) -> dict[str, Any]:
        """Unknown keys, then each known key in the contract's order; absent and null are the same."""
        for key in raw:
            if key not in specs:
                self.problem("unknown_key", f"{path}.{key}", allowed=", ".join(specs))
        values = {}
        for key, spec in specs.items():
            value = raw.get(key)
            if value is None:
                if spec.get("required"):
                    self.problem("missing", f"{path}.{key}")
            elif self.valid(f"{path}.{key}", value, spec):
                values[key] = value
        return values

    def valid(self, path: str, value: Any, spec: Mapping[str, Any]) -> bool:
        kind = spec["kind"]
        if kind == "text" and not is_text(value):
            self.problem("not_text", path, type=type_name(value))
        elif kind == "choice" and (not isinstance(value, str) or value not in spec["choices"]):
            self.problem("not_choice", path, choices=", ".join(spec["choices"]), value=value)
        elif kind == "text_list" and not (isinstance(value, list) and all(is_text(v) for v in value)):
            self.problem("not_text_list", path, type=type_name(value))
        elif kind == "expressions" and not isinstance(value, Mapping):
            self.problem("not_expressions", path, type=type_name(value))
        elif kind == "expressions":
            return self.expressions(path, value)
        elif kind == "unit_ids" and not (isinstance(value, Mapping) and value):
            self.problem("no_unit_ids", path)
        else:
            return True
        return False

    def expressions(self, path: str, value: Mapping[Any, Any]) -> bool:
        blank = [(name, formula) for name, formula in value.items() if not is_text(formula)]
        for name, formula in blank:
            self.problem("blank_expression", f"{path}.{name}", type=type_name(formula))
        return not blank

    def unit_ids(self, unit_ids: Mapping[Any, Any] | None) -> None:
        known = [*self.spec["built_in_unit_types"], *self.custom_unit_types]
        for column, target in (unit_ids or {}).items():
            path = f"{ROOT}.unit_ids.{column}"
            if isinstance(target, Mapping):
                unit_type = self.keys(path, target, self.spec["unit_id_keys"]).get("unit_type")
            elif is_text(target):
                unit_type = target
            else:
                self.problem("not_text", path, type=type_name(target))
                continue
            if unit_type is not None and unit_type not in known:
                self.problem("unknown_unit_type", path, value=unit_type, known=", ".join(known))

    def output_names(self, values: Mapping[str, Any]) -> None:
        """Unit-id columns, measures and dimensions share one namespace of lower-case identifiers."""
        pattern = self.spec["output_name_pattern"]
        seen: set[Any] = set()
        for key in ("unit_ids", *self._output_name_keys()):
            for name in values.get(key) or ():
                path = f"{ROOT}.{key}.{name}"
                if not isinstance(name, str) or not re.fullmatch(pattern, name):
                    self.problem("not_output_name", path, pattern=pattern)
                elif name in self.spec["reserved_output_names"]:
                    self.problem("reserved_output_name", path)
                elif name in seen:
                    self.problem("duplicate_output_name", path, value=name)
                seen.add(name)

    def _output_name_keys(self) -> Iterable[str]:
        return [key for key, spec in self.spec["keys"].items() if spec.get("output_names")]

    def exclusive(self, raw: Mapping[Any, Any], values: Mapping[str, Any]) -> None:
        for rule in self.spec["exclusive"]:
            if rule["key"] in values and raw.get(rule["other"]) == rule["value"]:
                self.problem("exclusive", f"{ROOT}.{rule['key']}", other=rule["other"], value=rule["value"])

    def source_name(self, raw: Mapping[Any, Any], values: Mapping[str, Any], model_name: str) -> None:
        """Statsig's name for the source: `source_name`, else the model's name (unless already refused)."""
        if raw.get("source_name") is not None and "source_name" not in values:
            return
        declared = values.get("source_name")
        name = declared if declared is not None else model_name
        maximum = self.spec["source_name_max_length"]
        if len(name) <= maximum and re.fullmatch(self.spec["source_name_pattern"], name):
            return
        hint = self.spec["messages"]["model_name_hint"] if declared is None else ""
        self.problem("bad_source_name", f"{ROOT}.source_name", value=name, max=maximum, hint=hint)

    def tags(self, tags: Sequence[str] | None) -> None:
        prefix = self.spec["reserved_tag_prefix"]
        for tag in tags or ():
            if tag.strip().lower().startswith(prefix.lower()):
                self.problem("reserved_tag", f"{ROOT}.tags", value=tag, prefix=prefix)
