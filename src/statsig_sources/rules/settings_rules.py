"""The `settings` rule: package vars are data, never SQL (core/access.py holds the per-adapter rules)."""

from __future__ import annotations

from typing import Any

from statsig_sources.core.access import checked_vars, setting_problems
from statsig_sources.core.project import Project
from statsig_sources.core.settings import VARS
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
        recorded = {
            name: source.model.recorded[name] for name in checked_vars() if name in source.model.recorded
        }
        messages += [found for found in setting_problems(recorded, adapter) if found not in messages]
    return [Violation("", "settings", message) for message in messages]
