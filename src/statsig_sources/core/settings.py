"""The package's settings as the CLI uses them: one value per setting, from one place.

A consumer configures the package once, as dbt vars. While a metric-source model parses, the package
records the values it resolved (with `env_var` and `--vars` applied) and the target in the model's
meta (contract.json's `recorded`), so the CLI reads exactly what dbt used. Precedence, per setting:
an explicit CLI option, else the value recorded in the manifest, else the contract's default (an
older manifest records nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from statsig_sources.core.contract import contract, setting_default


def _default_tuple(name: str) -> tuple[str, ...]:
    return tuple(setting_default(name))


@dataclass(frozen=True)
class Settings:
    """What the checks and the registration use; the defaults are the package's var defaults."""

    statsig_schema: str = field(default_factory=lambda: str(setting_default("statsig_schema")))
    statsig_roles: tuple[str, ...] = field(default_factory=lambda: _default_tuple("statsig_reader_roles"))
    custom_unit_types: tuple[str, ...] = field(
        default_factory=lambda: _default_tuple("statsig_custom_unit_types")
    )
    production_targets: tuple[str, ...] = field(
        default_factory=lambda: _default_tuple("statsig_production_targets")
    )
    marker: str | None = None  # None: default_marker(the manifest's project name)
    target: str | None = None  # the dbt target the manifest was parsed for, when recorded
    # The fields a CLI option set (so a finding names the option, not the var).
    from_options: frozenset[str] = field(default=frozenset(), compare=False)


@dataclass(frozen=True)
class SettingOptions:
    """The CLI's governance options; None where the user did not give one."""

    statsig_schema: str | None = None
    statsig_roles: tuple[str, ...] | None = None
    custom_unit_types: tuple[str, ...] | None = None
    marker: str | None = None


# Settings field -> the dbt var the package records it under.
VARS = {
    "statsig_schema": "statsig_schema",
    "statsig_roles": "statsig_reader_roles",
    "custom_unit_types": "statsig_custom_unit_types",
    "production_targets": "statsig_production_targets",
}


def recorded_meta_key() -> str:
    key: str = contract()["recorded"]["meta_key"]
    return key


def recorded_settings(metas: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The first recorded value of each setting (and the target) among the sources' records."""
    found: dict[str, Any] = {}
    for recorded in metas:
        for name, value in recorded.items():
            found.setdefault(name, value)
    return found


def resolve_settings(options: SettingOptions, recorded: Mapping[str, Any]) -> Settings:
    """Each setting from the option when given, else as recorded in the manifest, else its default."""
    values: dict[str, Any] = {}
    chosen = set()
    for field_name, var in VARS.items():
        option = getattr(options, field_name, None)
        if option is not None:
            values[field_name] = option
            chosen.add(field_name)
        elif var in recorded:
            values[field_name] = _as_setting(recorded[var], setting_default(var))
    target = recorded.get("target")
    return Settings(
        **values,
        marker=options.marker,
        target=str(target) if target is not None else None,
        from_options=frozenset(chosen),
    )


def _as_setting(value: Any, default: Any) -> Any:
    """A recorded value in the shape of its default (a var given as one string becomes a list). A
    value of another shape becomes an empty list; the `settings` rule reports it as recorded."""
    if isinstance(default, list):
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return tuple(str(item) for item in items)
    return str(value)
