"""The generic part of the contract's walk: a mapping's keys checked against their specs (kind, required,
choices), and the keys one key's value makes required or unused. The package's macros
`_statsig_key_problems`, `_statsig_value_is_valid` and `_statsig_needs_problems` walk the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from statsig_sources.declaration.contract import declaration_contract

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


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class KeyChecker:
    """Collects problems, worded by the contract's messages."""

    def __init__(self) -> None:
        self.spec = declaration_contract()
        self.problems: list[Problem] = []

    def problem(self, code: str, path: str, **fields: Any) -> None:
        message = self.spec["messages"][code].replace("{path}", path)
        for name, value in fields.items():
            message = message.replace("{" + name + "}", str(value))
        self.problems.append(Problem(code, path, message))

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
        elif kind == "choice" and isinstance(value, str) and value in spec.get("unsupported", ()):
            self.problem("unsupported_choice", path, value=value, choices=", ".join(spec["choices"]))
        elif kind == "choice" and (not isinstance(value, str) or value not in spec["choices"]):
            self.problem("not_choice", path, choices=", ".join(spec["choices"]), value=value)
        elif kind == "text_list" and not (isinstance(value, list) and all(is_text(v) for v in value)):
            self.problem("not_text_list", path, type=type_name(value))
        elif kind == "values" and not (
            isinstance(value, list) and all(is_text(v) or is_number(v) for v in value)
        ):
            self.problem("not_values", path, type=type_name(value))
        elif kind == "mappings" and not isinstance(value, list):
            self.problem("not_mappings", path, type=type_name(value))
        elif kind == "mapping" and not isinstance(value, Mapping):
            self.problem("not_mapping", path, type=type_name(value))
        elif kind == "percentile" and not self._percentile(value):
            low, high = self.spec["metrics"]["percentile_bounds"]
            self.problem("not_percentile", path, low=low, high=high, value=value)
        elif kind == "expressions" and not isinstance(value, Mapping):
            self.problem("not_expressions", path, type=type_name(value))
        elif kind == "expressions":
            return self.expressions(path, value)
        elif kind == "unit_ids" and not (isinstance(value, Mapping) and value):
            self.problem("no_unit_ids", path)
        else:
            return True
        return False

    def _percentile(self, value: Any) -> bool:
        low, high = self.spec["metrics"]["percentile_bounds"]
        return is_number(value) and low < value < high

    def expressions(self, path: str, value: Mapping[Any, Any]) -> bool:
        blank = [(name, formula) for name, formula in value.items() if not is_text(formula)]
        for name, formula in blank:
            self.problem("blank_expression", f"{path}.{name}", type=type_name(formula))
        return not blank

    def needs(
        self, path: str, raw: Mapping[Any, Any], values: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]
    ) -> None:
        """Keys a chosen value requires and keys it leaves unused (`aggregation: sum` needs `value_column`).

        Rules apply in order; a rule whose deciding key is itself unused decides nothing. An unused key
        is named with the last deciding key that governs it."""
        needed: dict[str, tuple[str, Any]] = {}
        governed: dict[str, tuple[str, Any] | None] = {}
        for rule in rules:
            decider, chosen = rule["key"], values.get(rule["key"])
            listed = [key for keys in rule["keys"].values() for key in keys]
            for key in listed:
                governed.setdefault(key, None)
            if chosen is None or (decider in governed and decider not in needed):
                continue
            for key in rule["keys"][chosen]:
                needed.setdefault(key, (decider, chosen))
            for key in listed:
                governed[key] = (decider, chosen)
        for key, decided in governed.items():
            if key in needed and raw.get(key) is None:
                self.problem("needed", f"{path}.{key}", key=needed[key][0], value=needed[key][1])
            elif key not in needed and key in values and decided is not None:
                self.problem("unused", f"{path}.{key}", key=decided[0], value=decided[1])
