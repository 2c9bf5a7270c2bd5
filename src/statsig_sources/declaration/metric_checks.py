"""The contract's checks of a source's `metrics:` list, walked in the same order and worded with the same
messages as the package's `_statsig_metric_problems` macro (and its `_statsig_criterion_problems`).

What one declaration can prove is checked here, on both sides: keys and kinds, the keys an aggregation
or a condition needs or leaves unused, metric names Statsig accepts and that repeat within the source,
columns the source emits and unit types it maps. What needs other sources (a ratio's denominator source
and its columns, names repeated across models) or the registered SQL is the CLI's rules' (rules/).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from statsig_sources.declaration.key_checks import ROOT, KeyChecker, is_text, type_name


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


class MetricChecks(KeyChecker):
    """The walk over `metrics:`, after the rest of the declaration."""

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
