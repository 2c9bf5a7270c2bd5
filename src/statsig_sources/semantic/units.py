"""Which Statsig unit type each Semantic Layer entity is: the var `statsig_entity_unit_types` in the root
project's dbt_project.yml.

The manifest holds no vars, so the file is read as YAML. A value dbt would render (Jinja) cannot be
known without dbt, so it is refused rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from statsig_sources.support.errors import InputError

UNIT_TYPES_VAR = "statsig_entity_unit_types"
CUSTOM_UNIT_TYPES_VAR = "statsig_custom_unit_types"
BUILT_IN_UNIT_TYPES = ("userID", "stableID")


def entity_unit_types(project_dir: Path) -> dict[str, str]:
    """Entity name -> Statsig unit type, checked: every type is built in or a listed custom type."""
    variables = _root_vars(project_dir / "dbt_project.yml")
    mapping = variables.get(UNIT_TYPES_VAR)
    if mapping is None:
        raise InputError(
            f"dbt_project.yml sets no var `{UNIT_TYPES_VAR}`: map each entity that identifies a Statsig "
            f"unit to its unit type, for example `{UNIT_TYPES_VAR}: {{customer: userID}}`"
        )
    _refuse_jinja(UNIT_TYPES_VAR, mapping)
    if not isinstance(mapping, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
    ):
        raise InputError(f"var `{UNIT_TYPES_VAR}` must be a mapping of entity name to unit type")
    custom = variables.get(CUSTOM_UNIT_TYPES_VAR) or []
    _refuse_jinja(CUSTOM_UNIT_TYPES_VAR, custom)
    known = (*BUILT_IN_UNIT_TYPES, *(str(item) for item in custom if isinstance(custom, list)))
    for entity, unit_type in mapping.items():
        if unit_type not in known:
            raise InputError(
                f"var `{UNIT_TYPES_VAR}` maps entity `{entity}` to `{unit_type}`, which is neither "
                f"userID, stableID nor listed in var `{CUSTOM_UNIT_TYPES_VAR}`"
            )
    return dict(mapping)


def _root_vars(path: Path) -> Mapping[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InputError(f"cannot read {path}: {error}") from None
    variables = document.get("vars") if isinstance(document, dict) else None
    return variables if isinstance(variables, dict) else {}


def _refuse_jinja(name: str, value: Any) -> None:
    if "{{" in repr(value) or "{%" in repr(value):
        raise InputError(
            f"var `{name}` is a Jinja expression; import-semantic-layer reads dbt_project.yml without "
            "dbt, so write its value out literally"
        )
