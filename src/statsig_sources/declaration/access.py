"""Package vars are data, never SQL: the names that reach a grant or a schema, checked per adapter.

The rules are contract.json's `access` section, which the package's `_statsig_setting_problems` macro
walks in the same order with the same messages, so `validate` refuses exactly what `dbt parse` does.
A value is refused when it names everyone (PUBLIC and each warehouse's equivalent), else when it does
not match the adapter's pattern: dbt's grants config writes a role unquoted, or between quotes it
cannot escape, so only a name that is safe there is a name at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from statsig_sources.declaration.checker import is_text, type_name
from statsig_sources.declaration.contract import contract


def _spec() -> Mapping[str, Any]:
    section: Mapping[str, Any] = contract()["access"]
    return section


def adapter_rule(adapter: str, key: str) -> Any:
    """The adapter's value for `key` (schema, role, quote, read_privilege), else the default's."""
    adapters = _spec()["adapters"]
    return adapters.get(adapter, {}).get(key, adapters["default"][key])


def _everyone_entries(adapter: str) -> list[Mapping[str, str]]:
    """The names that stand for everyone: the adapter's own, then the default's (PUBLIC, refused on
    every adapter); the first match words the reason."""
    adapters = _spec()["adapters"]
    return [*adapters.get(adapter, {}).get("everyone", []), *adapters["default"]["everyone"]]


def read_privilege(adapter: str) -> str:
    """The privilege dbt's grants config gives a reader on this adapter (`select`; BigQuery's role)."""
    return str(adapter_rule(adapter, "read_privilege"))


def checked_vars() -> list[str]:
    """The vars whose values the package checks: names that reach SQL, and whole numbers."""
    spec = _spec()
    return [*spec["settings"], *spec["whole_numbers"]]


def everyone(role: str, adapter: str) -> str | None:
    """Who `role` stands for when it names everyone on this adapter (PUBLIC, `account users`, ...)."""
    for entry in _everyone_entries(adapter):
        if re.fullmatch(entry["pattern"], role.lower()):
            return str(entry["who"])
    return None


def setting_problems(
    values: Mapping[str, Any], adapter: str, labels: Mapping[str, str] | None = None
) -> list[str]:
    """Every problem with the vars in `values` (name -> value as dbt resolved it) on `adapter`, worded
    as the macro words them; `labels` names a value that came from elsewhere (a CLI option)."""
    spec = _spec()
    problems: list[str] = []
    for name, value in values.items():
        path = (labels or {}).get(name, f"the var {name}")
        if name in spec["whole_numbers"]:
            if not re.fullmatch(spec["whole_number_pattern"], str(value)):
                problems.append(_message("not_whole_number", path, value=json.dumps(value)))
        elif name in spec["settings"]:
            problems += _name_problems(spec["settings"][name], path, value, adapter)
    return problems


def _name_problems(kind: str, path: str, value: Any, adapter: str) -> list[str]:
    if kind == "schema":
        if not is_text(value):
            return [_message("not_text", path, type=type_name(value))]
        items: list[tuple[str, Any]] = [(path, value)]
    else:
        if isinstance(value, str):
            value = [value]  # the package reads a list var given as one string as a list of it
        if not isinstance(value, list):
            return [_message("not_text_list", path, type=type_name(value))]
        items = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    problems = []
    rule = adapter_rule(adapter, kind)
    for item_path, item in items:
        who = everyone(item, adapter) if kind == "role" and is_text(item) else None
        if not is_text(item):
            problems.append(_message("not_text", item_path, type=type_name(item)))
        elif who is not None:
            problems.append(_message("everyone", path, adapter=adapter, who=who, value=json.dumps(item)))
        elif not re.fullmatch(rule["pattern"], item):
            fields = {"kind": kind, "adapter": adapter, "rule": rule["rule"], "value": json.dumps(item)}
            problems.append(_message("bad_name", path, **fields))
    return problems


def _message(code: str, path: str, **fields: str) -> str:
    """The contract's message for `code`, filled in as the macro's `_statsig_problem` fills it: the
    value last, so that a value holding `{rule}` stays as it is."""
    message = str(_spec()["messages"][code]).replace("{path}", path)
    for name, value in fields.items():
        message = message.replace("{" + name + "}", value)
    return message
