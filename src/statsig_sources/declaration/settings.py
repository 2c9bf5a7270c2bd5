"""The package's settings as the CLI uses them: one value per setting, from one place.

A consumer configures the package once, as dbt vars. While a metric-source model parses, the package
records the values it resolved (with `env_var` and `--vars` applied), the target, and the roles that
target grants read access to, in the model's meta (contract.json's `recorded` and `target_grants`), so
the CLI reads exactly what dbt used. Precedence, per setting: an explicit CLI option, else the value
recorded in the manifest, else the contract's default (an older manifest records nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from statsig_sources.artifacts.manifest import SourceModel
from statsig_sources.declaration.contract import contract, setting_default


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
    non_production_roles: tuple[str, ...] = field(
        default_factory=lambda: _default_tuple("statsig_non_production_reader_roles")
    )
    # The roles the manifest's target granted read access to, as the package recorded them; None in a
    # manifest from a package that recorded none (which granted statsig_roles on every target).
    recorded_grants: tuple[str, ...] | None = None
    marker: str | None = None  # None: default_marker(the manifest's project name)
    target: str | None = None  # the dbt target the manifest was parsed for, when recorded
    # The fields a CLI option set (so a finding names the option, not the var).
    from_options: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def production(self) -> bool | None:
        """Whether the manifest's target is a production target; None when no target is recorded."""
        return None if self.target is None else self.target in self.production_targets

    @property
    def granted_roles(self) -> tuple[str, ...]:
        """The roles the manifest's target grants read access to the governed schema: what the package
        recorded, unless --statsig-role names Statsig's role(s) for a production target's manifest."""
        if "statsig_roles" in self.from_options and self.production is not False:
            return self.statsig_roles
        return self.recorded_grants if self.recorded_grants is not None else self.statsig_roles


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
    "non_production_roles": "statsig_non_production_reader_roles",
}


def target_grants_spec() -> Mapping[str, str]:
    """contract.json's `target_grants`: which var a production and any other target grant, and the
    key under which the package records the roles it granted."""
    spec: Mapping[str, str] = contract()["target_grants"]
    return spec


def is_developer_copy(schema: str, statsig_schema: str) -> bool:
    """Whether `schema` is a copy of the governed schema a non-production target builds: dbt's usual
    `<target schema>_<statsig_schema>`, as the package's statsig_schema_name() names it."""
    return schema.casefold().endswith("_" + statsig_schema.casefold())


def recorded_meta_key() -> str:
    key: str = contract()["recorded"]["meta_key"]
    return key


def recorded_by_package(model: SourceModel) -> Mapping[str, Any]:
    """What the package recorded in the model's meta while it parsed: its settings, target and version."""
    recorded = model.meta.get(recorded_meta_key())
    return recorded if isinstance(recorded, dict) else {}


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
    granted = recorded.get(target_grants_spec()["recorded_as"])
    return Settings(
        **values,
        recorded_grants=_as_setting(granted, []) if granted is not None else None,
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
