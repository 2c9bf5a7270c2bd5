"""Rules over each source's `meta.statsig` declaration and the columns its model has."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from statsig_sources.declaration import (
    BUILT_IN_UNIT_TYPES,
    Declaration,
    canonical_columns,
    encoding_problem,
)
from statsig_sources.project import (
    MARKER_PREFIX,
    MetricSource,
    Project,
    Violation,
    declared_sources,
    violation,
)
from statsig_sources.rules.build_rules import stale_catalog

# A conservative rule for names Statsig accepts (see docs/rules.md#source_name): letters, digits,
# `_`, `-` and space, starting with a letter or digit, at most 100 characters. The same rule makes
# the name a safe file name for metric_sources/<name>.yml.
SOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\- ]{0,99}")

# 64-bit floating-point type names as catalog.json reports them, per adapter (lower case).
DOUBLE_TYPES = frozenset({"double", "double precision", "float64", "float8"})
SNOWFLAKE_DOUBLE_TYPES = DOUBLE_TYPES | {"float", "real"}  # every Snowflake float is 64-bit


def check_declaration(project: Project) -> list[Violation]:
    """Missing or unknown `meta.statsig` keys, values of the wrong type, and text (in the declaration
    or in the model properties a payload carries) that cannot be encoded."""
    found = [
        violation("declaration", source, problem)
        for source in project.sources
        for problem in source.declaration_problems
    ]
    for source in project.sources:
        model = source.model
        fields = {
            "the model's description": model.description,
            "the model's relation_name": model.relation_name,
            "the model's database, schema or alias": [
                model.relation.database,
                model.relation.schema,
                model.relation.name,
            ],
        }
        found += [
            violation("declaration", source, problem)
            for what, value in fields.items()
            if (problem := encoding_problem(what, value))
        ]
    return found


def check_unit_types(project: Project) -> list[Violation]:
    """Unit types neither built in nor listed with --custom-unit-type."""
    allowed = set(BUILT_IN_UNIT_TYPES) | set(project.settings.custom_unit_types)
    found = []
    for source, declaration in declared_sources(project):
        for unit in declaration.unit_ids:
            if unit.unit_type not in allowed:
                found.append(
                    violation(
                        "unit_types",
                        source,
                        f"unit_ids.{unit.column} has unit type `{unit.unit_type}`, which is neither "
                        f"built in ({', '.join(BUILT_IN_UNIT_TYPES)}) nor listed with --custom-unit-type",
                    )
                )
    return found


def check_source_name(project: Project) -> list[Violation]:
    """Source names Statsig could refuse."""
    return [
        violation(
            "source_name",
            source,
            f"source name `{source.name}` must start with a letter or digit and use only letters, "
            "digits, `_`, `-` and spaces, at most 100 characters",
        )
        for source in project.sources
        if not SOURCE_NAME.fullmatch(source.name) or source.name != source.name.strip()
    ]


def check_duplicate_source_names(project: Project) -> list[Violation]:
    """Two models declaring the same Statsig source name (compared without case)."""
    by_name: dict[str, list[MetricSource]] = defaultdict(list)
    for source in project.sources:
        by_name[source.name.casefold()].append(source)
    found = []
    for same in by_name.values():
        for source in same if len(same) > 1 else ():
            others = ", ".join(other.model.unique_id for other in same if other is not source)
            found.append(
                violation(
                    "duplicate_source_names",
                    source,
                    f"source name `{source.name}` is also declared by {others}",
                )
            )
    return found


def check_declared_columns(project: Project) -> list[Violation]:
    """Canonical columns the model does not document, or that the warehouse does not have.

    A stale catalog.json (older than the manifest or its run) is named once and not compared: a column
    message from it could describe a relation that no longer exists.
    """
    adapter = project.manifest.adapter_type
    stale = stale_catalog(project)
    catalog = None if stale else project.manifest.catalog
    found = [Violation("", "declared_columns", stale, "warning")] if stale else []
    for source, declaration in declared_sources(project):
        expected = canonical_columns(declaration, adapter)
        actual = catalog.get(source.model.unique_id) if catalog is not None else None
        messages = _documented_problems(source, expected)
        if actual is not None:
            messages += _catalog_problems(declaration, expected, actual, adapter)
        elif catalog is not None:
            found.append(violation("declared_columns", source, CATALOG_LACKS_MODEL, "warning"))
        elif not source.model.columns:
            found.append(violation("declared_columns", source, UNCHECKED, "warning"))
        found += [violation("declared_columns", source, message) for message in messages]
    return found


UNCHECKED = "documents no columns and catalog.json has none for it, so its columns are unchecked"
CATALOG_LACKS_MODEL = (
    "catalog.json has no entry for it, so the catalog is stale for this model and its warehouse columns "
    "are unchecked; run `dbt docs generate --no-compile` after building it"
)


def _documented_problems(source: MetricSource, expected: tuple[str, ...]) -> list[str]:
    documented = {name.casefold() for name in source.model.columns}
    if not documented:
        return []
    missing = [name for name in expected if name.casefold() not in documented]
    extra = sorted(set(documented) - {name.casefold() for name in expected})
    messages = [f"declared column `{name}` is not among the model's documented columns" for name in missing]
    messages += [f"documents column `{name}`, which the declaration does not emit" for name in extra]
    return messages


def _catalog_problems(
    declaration: Declaration, expected: tuple[str, ...], actual: Mapping[str, str], adapter: str
) -> list[str]:
    missing = [name for name in expected if name not in actual]
    extra = sorted(set(actual) - set(expected))
    messages = [f"catalog.json shows no column `{name}` in the relation" for name in missing]
    messages += [f"catalog.json shows column `{name}`, which the declaration does not emit" for name in extra]
    n_units = len(declaration.unit_ids)
    timestamp = expected[n_units]
    doubles = expected[n_units + 1 : len(expected) - len(declaration.dimensions)]
    if timestamp in actual and not any(word in actual[timestamp].lower() for word in ("timestamp", "date")):
        messages.append(f"column `{timestamp}` is {actual[timestamp]}, not a timestamp")
    allowed = SNOWFLAKE_DOUBLE_TYPES if adapter == "snowflake" else DOUBLE_TYPES
    for name in doubles:
        if name in actual and actual[name].lower() not in allowed:
            messages.append(f"column `{name}` is {actual[name]}, not a 64-bit double")
    return messages


def check_reserved_tags(project: Project) -> list[Violation]:
    """Declared tags that look like an ownership marker: only the CLI sets those."""
    marker = project.marker
    found = []
    for source, declaration in declared_sources(project):
        for tag in declaration.tags:
            folded = tag.strip().casefold()
            if folded.startswith(MARKER_PREFIX.casefold()) or folded == marker.casefold():
                found.append(
                    violation(
                        "reserved_tags",
                        source,
                        f"meta.statsig.tags: `{tag}` looks like an ownership marker (tags starting "
                        f"`{MARKER_PREFIX}`, and the marker `{marker}`, are reserved): remove it",
                    )
                )
    return found
