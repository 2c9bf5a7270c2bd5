"""Seed files: metric sources, metrics, experiments and faults for the stand-in, in YAML or JSON.

    metricSources:            # MetricSourceContractDto, Statsig's defaults filled in
      - {name: orders, sql: "select ...", timestampColumn: ts, idTypeMapping: [...]}
    metrics:                  # ExternalMetricDefinitionContractDto; id, type, lineage filled in
      - {name: Revenue, warehouseNative: {aggregation: sum, metricSourceName: orders, valueColumn: value}}
    experiments:              # ExternalExperimentDto; groups, times, status (active) filled in
      - {id: checkout_test, primaryMetrics: [{name: Revenue, type: user_warehouse}]}
    faults:                   # answers the stand-in gets wrong on purpose (see state.Fault)
      - {kind: status, status: 503, method: POST, path_contains: /metric_source, times: 2}

Every entry is validated, strictly, against the schema its section names; every problem in the file
is reported, each naming its entry, and nothing is seeded when any is found. A state file (--state)
is written in this same format.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from statsig_sources.standin.schemas import MAX_DEPTH, errors_of, nesting, validator
from statsig_sources.standin.service import StandIn
from statsig_sources.standin.state import (
    SOURCE_DEFAULTS,
    STATE_FORMAT,
    Fault,
    complete_experiment,
    complete_metric,
)
from statsig_sources.support.errors import InputError


class SeedError(InputError):
    """A seed or state file that cannot be read, or entries that break Statsig's schemas."""


_SECTIONS = ("metricSources", "metrics", "experiments", "faults")
_FAULT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["status", "drop", "drop_after"]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "retry_after": {"type": ["string", "null"]},
        "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE", None]},
        "path_contains": {"type": "string"},
        "times": {"type": "integer", "minimum": 1},
    },
}
_FILE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "format": {"const": STATE_FORMAT},
        **{section: {"type": "array", "items": {"type": "object"}} for section in _SECTIONS},
    },
}
# section -> (how an entry is completed, the schema it must then satisfy)
_ENTRIES: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], str]] = {
    "metricSources": (lambda source: {**SOURCE_DEFAULTS, **source}, "MetricSourceContractDto"),
    "metrics": (complete_metric, "ExternalMetricDefinitionContractDto"),
    "experiments": (complete_experiment, "ExternalExperimentDto"),
}


def read_seed(path: Path) -> dict[str, Any]:
    """The file's sections, each entry completed and valid; a `SeedError` listing every problem."""
    data = _parse(path)
    found = [f"{path}: {e['property']}: {e['errorMessage']}" for e in errors_of(_file_validator(), data)]
    if found:
        raise SeedError("\n".join(found))
    seeds: dict[str, Any] = {section: [] for section in _SECTIONS}
    for section, (complete, schema) in _ENTRIES.items():
        seen: set[str] = set()
        for index, entry in enumerate(data.get(section, [])):
            completed = complete(entry)
            seeds[section].append(completed)
            problems = errors_of(validator(schema), completed)
            key = completed.get("name" if section == "metricSources" else "id")
            if isinstance(key, str) and key in seen:
                problems.append({"property": "(entry)", "errorMessage": f"{key!r} appears twice"})
            seen.add(str(key))
            found += _entry_problems(path, section, index, completed, problems)
    for index, entry in enumerate(data.get("faults", [])):
        problems = errors_of(Draft7Validator(_FAULT_SCHEMA), entry)
        found += _entry_problems(path, "faults", index, entry, problems)
        seeds["faults"].append(entry)
    if found:
        raise SeedError("\n".join(found))
    seeds["faults"] = [Fault(**entry) for entry in seeds["faults"]]
    return seeds


def seed(fake: StandIn, path: Path) -> dict[str, int]:
    """Reads `path` and gives its entries to `fake` (all or nothing); how many of each it held."""
    seeds = read_seed(path)
    fake.seed_sources(seeds["metricSources"])
    fake.seed_metrics(seeds["metrics"], strict=True)
    fake.seed_experiments(seeds["experiments"])
    fake.inject(*seeds["faults"])
    return {section: len(entries) for section, entries in seeds.items()}


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SeedError(f"Cannot read {path}: {error}") from None
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        data = json.loads(text) if kind == "JSON" else (yaml.safe_load(text) or {})
    except (ValueError, yaml.YAMLError) as error:
        raise SeedError(f"{path} is not valid {kind}: {error}") from None
    except RecursionError:  # deeper than the parser's stack, so deeper than MAX_DEPTH too
        raise _too_deep(path) from None
    if nesting(data) > MAX_DEPTH:
        raise _too_deep(path)
    return data


def _too_deep(path: Path) -> SeedError:
    return SeedError(
        f"{path} nests lists or objects deeper than {MAX_DEPTH} levels; a seed or state file needs fewer "
        "than ten."
    )


def _file_validator() -> Draft7Validator:
    return Draft7Validator(_FILE_SCHEMA)


def _entry_problems(
    path: Path, section: str, index: int, entry: dict[str, Any], problems: list[dict[str, str]]
) -> list[str]:
    label = entry.get("name", entry.get("id", entry.get("kind")))
    where = f"{path}: {section}[{index}]" + (f" ({label!r})" if isinstance(label, str) else "")
    return [f"{where}: {problem['property']}: {problem['errorMessage']}" for problem in problems]
