"""Rules over each source's `meta.statsig` declaration and the columns its model has."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from statsig_sources.declaration.contract import type_family
from statsig_sources.declaration.source import Declaration, canonical_columns
from statsig_sources.project import MetricSource, Project, declared_sources
from statsig_sources.rules.build_rules import stale_catalog
from statsig_sources.rules.violations import Violation, violation

# Problems the declaration's contract finds, reported under a rule of their own (docs/rules.md); every
# other problem is the `declaration` rule's.
RULE_OF_PROBLEM = {
    "unknown_unit_type": "unit_types",
    "bad_source_name": "source_name",
    "reserved_tag": "reserved_tags",
    "not_a_column": "metric_columns",
    "duplicate_metric_name": "duplicate_metric_names",
}


def contract_problems(project: Project, rule: str) -> list[Violation]:
    """The contract's problems that `rule` reports."""
    return [
        violation(rule, source, problem.message)
        for source in project.sources
        for problem in source.declaration_problems
        if RULE_OF_PROBLEM.get(problem.code, "declaration") == rule
    ]


def check_declaration(project: Project) -> list[Violation]:
    """Missing or unknown `meta.statsig` keys, values of the wrong kind, output names the contract
    refuses, and text (in the declaration or in the model properties a payload carries) that cannot be
    encoded (declaration/admission.py)."""
    return contract_problems(project, "declaration")


def check_unit_types(project: Project) -> list[Violation]:
    """Unit types neither built in nor listed in the var statsig_custom_unit_types."""
    return contract_problems(project, "unit_types")


def check_source_name(project: Project) -> list[Violation]:
    """Source names Statsig could refuse (the contract's rule, which the macro applies too)."""
    return contract_problems(project, "source_name")


def check_duplicate_source_names(project: Project) -> list[Violation]:
    """Two models declaring the same Statsig source name (compared without case). A source whose
    name cannot be read (declaration/admission.py) is named by no one."""
    by_name: dict[str, list[MetricSource]] = defaultdict(list)
    for source in project.sources:
        if source.admission.name is not None:
            by_name[source.admission.name.casefold()].append(source)
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
    if timestamp in actual and type_family(actual[timestamp], adapter) != "timestamp":
        messages.append(f"column `{timestamp}` is {actual[timestamp]}, not a timestamp")
    for name in doubles:
        if name in actual and type_family(actual[name], adapter) != "double":
            messages.append(f"column `{name}` is {actual[name]}, not a 64-bit double")
    return messages


def check_reserved_tags(project: Project) -> list[Violation]:
    """Declared tags that look like an ownership marker: only the CLI sets those. The marker prefix is
    the contract's (the macro refuses it too); the configured --marker is the CLI's alone."""
    found = contract_problems(project, "reserved_tags")
    marker = project.marker
    for source, declaration in declared_sources(project):
        for tag in declaration.tags:
            if tag.strip().casefold() == marker.casefold():
                message = (
                    f"meta.statsig.tags: `{tag}` looks like an ownership marker (it is this project's "
                    "--marker): remove it"
                )
                found.append(violation("reserved_tags", source, message))
    return found
