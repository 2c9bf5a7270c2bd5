"""The checks `contract.json` describes for a raw `meta.statsig` declaration, walked in the same order
and worded with the same messages as the package's `_statsig_declaration_problems` macro. The generic
key walk is key_checks.py's; the `metrics:` list is metric_checks.py's."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from statsig_sources.declaration.key_checks import ROOT, Problem, is_text, type_name
from statsig_sources.declaration.metric_checks import MetricChecks

__all__ = ["ROOT", "DeclarationChecker", "Problem", "is_text", "type_name"]


class DeclarationChecker(MetricChecks):
    """Walks a raw declaration as the contract describes it, collecting problems."""

    def __init__(self, custom_unit_types: Sequence[str]) -> None:
        super().__init__()
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
