"""A PostgreSQL connection string from a dbt profile's target, as dbt would connect.

Only what `audit --target` needs: the project's profile name, profiles.yml from the usual places,
`env_var()` rendered with jinja2, and a postgres target's connection fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from statsig_sources.support.errors import InputError


def postgres_dsn(project_dir: Path, profiles_dir: Path | None, target: str) -> str:
    """The libpq connection string of `target` in the project's profile."""
    profile_name = _profile_name(project_dir)
    path = _profiles_path(project_dir, profiles_dir)
    profiles = _load(path)
    outputs = (profiles.get(profile_name) or {}).get("outputs") or {}
    if target not in outputs:
        known = ", ".join(sorted(outputs)) or "none"
        raise InputError(f"{path} has no target {target!r} in profile {profile_name!r} (targets: {known}).")
    output = {key: _render(value) for key, value in outputs[target].items()}
    if output.get("type") != "postgres":
        raise InputError(
            f"Target {target!r} is a {output.get('type')!r} target; audit checks PostgreSQL "
            "(docs/audit.md lists the equivalent checks for other warehouses)."
        )
    from psycopg.conninfo import make_conninfo

    fields = {"host": "host", "port": "port", "user": "user", "password": "password", "dbname": "dbname"}
    return make_conninfo(
        **{libpq: str(output[key]) for key, libpq in fields.items() if output.get(key) not in (None, "")}
    )


def _profile_name(project_dir: Path) -> str:
    project = _load(project_dir / "dbt_project.yml")
    name = project.get("profile")
    if not isinstance(name, str):
        raise InputError(f"{project_dir / 'dbt_project.yml'} names no profile.")
    return name


def _profiles_path(project_dir: Path, profiles_dir: Path | None) -> Path:
    candidates = [profiles_dir] if profiles_dir else [project_dir, Path.home() / ".dbt"]
    for directory in candidates:
        if directory is not None and (directory / "profiles.yml").is_file():
            return directory / "profiles.yml"
    raise InputError(f"No profiles.yml in {', '.join(str(d) for d in candidates if d)}; pass --profiles-dir.")


def _load(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InputError(f"Cannot read {path}: {error.__class__.__name__}") from None
    if not isinstance(loaded, dict):
        raise InputError(f"{path} is not a YAML mapping.")
    return loaded


def _render(value: Any) -> Any:
    """Renders dbt's `env_var('NAME', 'default')` (and `| as_number`) in a profile value."""
    if not isinstance(value, str) or "{{" not in value:
        return value
    import os

    import jinja2

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise InputError(f"profiles.yml needs the environment variable {name}, which is not set.")
        return default

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["as_number"] = lambda text: text
    environment.filters["as_text"] = lambda text: text
    try:
        return environment.from_string(value).render(env_var=env_var)
    except jinja2.TemplateError as error:
        raise InputError(f"Cannot render a profiles.yml value: {error}") from None
