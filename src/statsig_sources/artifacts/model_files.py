"""Which models a dbt project's files define, read from the files themselves: no manifest, no dbt.

`usage --prune-exposures` must work when `dbt parse` does not (an exposures file that names a renamed
model is what breaks it), so the models are found as dbt finds them, under each `model-paths` entry of
`dbt_project.yml` (default `models`): every `.sql` and `.py` file is a model named after the file, and
a `models:` entry of a YAML file with `versions` is a versioned model whose version `v` lives in the
file its `defined_in` names, else in `<name>_v<v>`. The models of installed packages (under
`packages-install-path`, default `dbt_packages`) are read the same way when they are there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statsig_sources.support.errors import InputError

MODEL_SUFFIXES = (".sql", ".py")
YAML_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class ModelFiles:
    """The models a project's files define: plain ones by name, versioned ones by name and version."""

    project_name: str
    plain: frozenset[str] = frozenset()
    # name -> {version (as text) -> whether its file exists}, and the latest version when declared
    versions: Mapping[str, Mapping[str, bool]] = field(default_factory=dict)
    latest: Mapping[str, str] = field(default_factory=dict)

    def has(self, name: str, version: str | None = None) -> bool:
        """Whether `ref(name)` (or `ref(name, v=version)`) resolves to a model whose file exists."""
        if name in self.versions:
            chosen = version if version is not None else self.latest.get(name)
            if chosen is None:
                return any(self.versions[name].values())
            return self.versions[name].get(chosen, False)
        return version is None and name in self.plain


def read_model_files(project_dir: Path) -> ModelFiles:
    """The models under the project's model paths and its installed packages' (input error without a
    readable dbt_project.yml)."""
    project = _dbt_project(project_dir)
    if project is None:
        raise InputError(f"no readable dbt_project.yml in {project_dir}: pass the project's --project-dir")
    stems: set[str] = set()
    entries: list[Mapping[str, Any]] = []
    roots = [project_dir, *_installed_packages(project_dir, project)]
    for root in roots:
        found = _dbt_project(root) if root != project_dir else project
        for directory in _model_paths(root, found or {}):
            for path in _files(directory):
                if path.suffix in MODEL_SUFFIXES:
                    stems.add(path.stem)
                elif path.suffix in YAML_SUFFIXES:
                    entries += _model_entries(path)
    return _models(str(project.get("name") or ""), stems, entries)


def _models(project_name: str, stems: set[str], entries: list[Mapping[str, Any]]) -> ModelFiles:
    versions: dict[str, dict[str, bool]] = {}
    latest: dict[str, str] = {}
    for entry in entries:
        name, listed = entry.get("name"), entry.get("versions")
        if not isinstance(name, str) or not isinstance(listed, list):
            continue
        found = versions.setdefault(name, {})
        for version in listed:
            if isinstance(version, Mapping) and "v" in version:
                v = str(version["v"])
                found[v] = str(version.get("defined_in") or f"{name}_v{v}") in stems
        if entry.get("latest_version") is not None:
            latest[name] = str(entry["latest_version"])
        elif found:
            latest[name] = max(found, key=_version_order)
    return ModelFiles(project_name, frozenset(stems - set(versions)), versions, latest)


def _version_order(version: str) -> tuple[int, float, str]:
    """dbt orders versions as numbers when they are numbers."""
    try:
        return (1, float(version), "")
    except ValueError:
        return (0, 0.0, version)


def _dbt_project(root: Path) -> Mapping[str, Any] | None:
    import yaml

    try:
        document = yaml.safe_load((root / "dbt_project.yml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return document if isinstance(document, dict) else None


def _model_paths(root: Path, project: Mapping[str, Any]) -> list[Path]:
    paths = project.get("model-paths", project.get("source-paths", ["models"]))
    return [root / str(path) for path in paths if isinstance(path, str)] if isinstance(paths, list) else []


def _installed_packages(project_dir: Path, project: Mapping[str, Any]) -> list[Path]:
    install = project_dir / str(project.get("packages-install-path") or "dbt_packages")
    try:
        return sorted(path for path in install.iterdir() if (path / "dbt_project.yml").is_file())
    except OSError:
        return []


def _files(directory: Path) -> Iterator[Path]:
    """Every file under `directory`, as dbt walks it (symbolic links followed, hidden names too)."""
    try:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                yield path
    except OSError:
        return


def _model_entries(path: Path) -> list[Mapping[str, Any]]:
    """The `models:` entries of a YAML file that declare versions; nothing for a file that declares
    none (most are not even parsed) or is not YAML dbt would read."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        if "versions" not in text:
            return []
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return []
    models = document.get("models") if isinstance(document, dict) else None
    return [entry for entry in models if isinstance(entry, Mapping)] if isinstance(models, list) else []
