"""The one checker of a raw `meta.statsig` declaration against contract.json: walked in the same order
and worded with the same messages as the package's `_statsig_declaration_problems` macro (and, for the
`metrics:` list, `_statsig_metric_problems` and `_statsig_criterion_problems`; for a mapping's keys,
`_statsig_key_problems`, `_statsig_value_is_valid` and `_statsig_needs_problems`).

What one declaration can prove is checked here, on both sides: keys and kinds, the keys a value makes
required or unused, output names, source and metric names Statsig accepts, columns the source emits and
unit types it maps. What needs other sources (a ratio's denominator source and its columns, names
repeated across models) or the registered SQL is the CLI's rules' (rules/).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
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


def metric_path(item: Any, index: int) -> str:
    """`meta.statsig.metrics[Order revenue]`, or `meta.statsig.metrics[#2]` (1-based) without a name."""
    name = item.get("name") if isinstance(item, Mapping) else None
    return f"{ROOT}.metrics[{name if is_text(name) else f'#{index + 1}'}]"


def source_columns(values: Mapping[str, Any]) -> list[str]:
    """The columns a metric may read: the canonical columns (as declared, lower case) and the custom
    fields, from the declaration's valid values."""
    columns = [*(values.get("unit_ids") or {}), "timestamp"]
    columns += ["value"] if "value" in values else []
    columns += [*(values.get("measures") or {}), *(values.get("dimensions") or [])]
    return [str(column) for column in [*columns, *(values.get("custom_fields") or {})]]


def source_unit_types(values: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for target in (values.get("unit_ids") or {}).values():
        unit_type = target.get("unit_type") if isinstance(target, Mapping) else target
        if isinstance(unit_type, str) and is_text(unit_type) and unit_type not in found:
            found.append(unit_type)
    return found


class DeclarationChecker:
    """Walks a raw declaration as the contract describes it, collecting problems worded by the
    contract's messages."""

    def __init__(self, custom_unit_types: Sequence[str]) -> None:
        self.spec = declaration_contract()
        self.problems: list[Problem] = []
        self.custom_unit_types = tuple(custom_unit_types)

    def check(self, raw: Any, model_name: str) -> dict[str, Any] | None:
        if not isinstance(raw, Mapping):
            self.problem("not_mapping", ROOT, type=type_name(raw))
            return None
        values = self.keys(ROOT, raw, self.spec["keys"])
        self.unit_ids(values.get("unit_ids"))
        self.output_names(values)
        self.exclusive(raw, values)
        self.source_name(raw, values, model_name)
        self.reserved_tags(f"{ROOT}.tags", values.get("tags") or [])
        self.metrics(values)
        return values

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

    # --- the `metrics:` list ---------------------------------------------------------------------------

    def metrics(self, values: Mapping[str, Any]) -> None:
        spec = self.spec["metrics"]
        columns = source_columns(values)
        seen: list[str] = []
        for index, item in enumerate(values.get("metrics") or ()):
            path = metric_path(item, index)
            if not isinstance(item, Mapping):
                self.problem("not_mapping", path, type=type_name(item))
                continue
            metric = self.keys(path, item, spec["keys"])
            self.metric_name(path, metric.get("name"), seen)
            self.needs(path, item, metric, spec["needs"])
            self.columns(
                f"{path}.value_column", [metric["value_column"]] if "value_column" in metric else [], columns
            )
            self.columns(f"{path}.dimensions", metric.get("dimensions") or [], columns)
            self.unit_types(f"{path}.unit_types", metric.get("unit_types") or [], source_unit_types(values))
            self.reserved_tags(f"{path}.tags", metric.get("tags") or [])
            for number, criterion in enumerate(metric.get("criteria") or (), start=1):
                self.criterion(f"{path}.criteria[#{number}]", criterion, columns)
            if "denominator" in metric:
                self.denominator(f"{path}.denominator", metric["denominator"])

    def metric_name(self, path: str, name: str | None, seen: list[str]) -> None:
        if name is None:
            return
        spec = self.spec["metrics"]
        low, high = spec["name_min_length"], spec["name_max_length"]
        if not (low <= len(name) <= high and re.fullmatch(spec["name_pattern"], name)):
            self.problem("bad_metric_name", f"{path}.name", value=name, min=low, max=high)
        elif name.lower() in seen:
            self.problem("duplicate_metric_name", f"{path}.name", value=name)
        seen.append(name.lower())

    def columns(self, path: str, wanted: Sequence[str], columns: Sequence[str]) -> None:
        for column in wanted:
            if column not in columns:
                self.problem("not_a_column", path, value=column, columns=", ".join(columns))

    def unit_types(self, path: str, wanted: Sequence[str], known: Sequence[str]) -> None:
        for unit_type in wanted:
            if unit_type not in known:
                self.problem("not_source_unit_type", path, value=unit_type, known=", ".join(known))

    def reserved_tags(self, path: str, tags: Sequence[str]) -> None:
        prefix = self.spec["reserved_tag_prefix"]
        for tag in tags:
            if tag.strip().lower().startswith(prefix.lower()):
                self.problem("reserved_tag", path, value=tag, prefix=prefix)

    def criterion(self, path: str, raw: Any, columns: Sequence[str] | None) -> None:
        """One filter; its column is checked against `columns` (None: another source's, left to the CLI)."""
        spec = self.spec["metrics"]
        if not isinstance(raw, Mapping):
            self.problem("not_mapping", path, type=type_name(raw))
            return
        criterion = self.keys(path, raw, spec["criterion_keys"])
        self.needs(path, raw, criterion, spec["criterion_needs"])
        if columns is not None and "column" in criterion:
            self.columns(f"{path}.column", [criterion["column"]], columns)

    def denominator(self, path: str, raw: Mapping[Any, Any]) -> None:
        spec = self.spec["metrics"]
        denominator = self.keys(path, raw, spec["denominator_keys"])
        self.needs(path, raw, denominator, spec["denominator_needs"])
        for number, criterion in enumerate(denominator.get("criteria") or (), start=1):
            self.criterion(f"{path}.criteria[#{number}]", criterion, None)

    # --- a mapping's keys, against their specs -------------------------------------------------------

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
