"""What the dbt package and the CLI must agree on, read from `contract.json`.

The same file is rendered into `macros/utils/_statsig_contract.sql` by scripts/generate_macro_contract.py
(which reads it without importing this package), so the macros and the CLI check declarations, name
rules, settings' defaults and warehouse type names from one description. The version they are released
under is not in the file: it comes from `statsig_sources.__version__` into the contract's `recorded`
section, which the package records in every metric source's meta.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from statsig_sources import __version__

CONTRACT_FILE = "contract.json"


@cache
def contract() -> Mapping[str, Any]:
    """The whole contract, as the JSON file holds it, with the release's version in `recorded`."""
    # Beside this module, as package data: read by path, not through importlib.resources, whose import
    # (with tempfile and zipfile) every command would pay before it reads a manifest.
    text = Path(__file__).with_name(CONTRACT_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    data["recorded"]["version"] = __version__
    return data


def declaration_contract() -> Mapping[str, Any]:
    section: Mapping[str, Any] = contract()["declaration"]
    return section


def setting_default(name: str) -> Any:
    """A package var's default (the var's value when a project sets none)."""
    return contract()["settings"][name]


def adapters_without_grants() -> frozenset[str]:
    """Adapters on which dbt cannot apply grants, so the package sets none."""
    return frozenset(contract()["warehouses"]["without_grants"])


def type_family(data_type: str, adapter_type: str) -> str:
    """string, double, date, timestamp_tz (offset-aware), timestamp (naive, or an instant) or other.

    The same classification as the package's `statsig_type_family` macro, from the same table.
    """
    warehouses = contract()["warehouses"]
    families: Mapping[str, list[str]] = warehouses["type_families"]
    name = data_type.lower().strip()
    base = name.split("(")[0].strip()
    doubles = [*families["double"], *warehouses["extra_doubles"].get(adapter_type, [])]
    if base in families["string"]:
        return "string"
    if base in doubles:
        return "double"
    if base in families["date"]:
        return "date"
    if warehouses["timestamp_tz_marker"] in name or base in families["timestamp_tz"]:
        return "timestamp_tz"
    if base.startswith(warehouses["timestamp_prefix"]) or base in families["timestamp"]:
        return "timestamp"
    return "other"
