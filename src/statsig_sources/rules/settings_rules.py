"""The `settings` rule: package vars are data, never SQL (declaration/access.py holds the per-adapter
rules)."""

from __future__ import annotations

from typing import Any

from statsig_sources.declaration.access import checked_vars, setting_problems
from statsig_sources.declaration.settings import VARS, recorded_by_package
from statsig_sources.project import Project
from statsig_sources.rules.violations import Violation

# The CLI options that stand in for the vars (commands/_options.py), by Settings field.
OPTIONS = {"statsig_schema": "--statsig-schema", "statsig_roles": "--statsig-role"}


def check_settings(project: Project) -> list[Violation]:
    """A schema or role that is not a safe name on the manifest's adapter, or that names everyone: in
    the settings the CLI uses (its options, else what the package recorded, else the defaults) and in
    what the package recorded for each source (the values it built that source's grants with)."""
    adapter = project.manifest.adapter_type
    settings = project.settings
    used: dict[str, Any] = {
        "statsig_schema": settings.statsig_schema,
        "statsig_roles": list(settings.statsig_roles),
    }
    labels = {VARS[name]: OPTIONS[name] for name in settings.from_options if name in OPTIONS}
    messages = setting_problems({VARS[name]: value for name, value in used.items()}, adapter, labels)
    for source in project.sources:
        by_package = recorded_by_package(source.model)
        recorded = {name: by_package[name] for name in checked_vars() if name in by_package}
        messages += [found for found in setting_problems(recorded, adapter) if found not in messages]
    return [Violation("", "settings", message) for message in messages]
