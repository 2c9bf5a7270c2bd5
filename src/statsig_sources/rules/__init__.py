"""The validation rules. Each is `check_x(project) -> list[Violation]`, or, for a rule that reads SQL,
`check_x(project, sql) -> list[Violation]` with every piece of the project's SQL already read; an empty
list is a pass.

Every rule is registered in `RULES`, documented in docs/rules.md and proven by an invalid fixture in
tests/fixtures/manifests/invalid/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from statsig_sources.project import Project
from statsig_sources.rules.build_rules import check_build_status
from statsig_sources.rules.declaration_rules import (
    check_declaration,
    check_declared_columns,
    check_duplicate_source_names,
    check_reserved_tags,
    check_source_name,
    check_unit_types,
)
from statsig_sources.rules.governance import (
    check_governed_schema,
    check_grants,
    check_materialization,
    check_single_schema,
    check_undeclared_in_governed_schema,
)
from statsig_sources.rules.metric_rules import (
    check_duplicate_metric_names,
    check_metric_columns,
    check_metric_sources,
)
from statsig_sources.rules.settings_rules import check_settings
from statsig_sources.rules.sql_rules import check_lineage, check_user_sql
from statsig_sources.rules.violations import Violation
from statsig_sources.sql.reads import SqlAnswers, read_project_sql


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[Project], list[Violation]]


@dataclass(frozen=True)
class SqlRule:
    """A rule over what the project's SQL reads."""

    name: str
    check: Callable[[Project, SqlAnswers], list[Violation]]


RULES: tuple[Rule | SqlRule, ...] = (
    Rule("declaration", check_declaration),
    Rule("unit_types", check_unit_types),
    Rule("source_name", check_source_name),
    Rule("duplicate_source_names", check_duplicate_source_names),
    Rule("reserved_tags", check_reserved_tags),
    Rule("declared_columns", check_declared_columns),
    Rule("metric_sources", check_metric_sources),
    Rule("metric_columns", check_metric_columns),
    Rule("duplicate_metric_names", check_duplicate_metric_names),
    Rule("build_status", check_build_status),
    Rule("settings", check_settings),
    Rule("governed_schema", check_governed_schema),
    Rule("single_schema", check_single_schema),
    Rule("materialization", check_materialization),
    Rule("grants", check_grants),
    Rule("undeclared_in_governed_schema", check_undeclared_in_governed_schema),
    SqlRule("user_sql", check_user_sql),
    SqlRule("lineage", check_lineage),
)


def validate(project: Project) -> list[Violation]:
    """Every violation of every rule, errors and warnings, in a stable order. The project's SQL is read
    once for the rules that need it (remembered between runs where the artifacts' paths say)."""
    sql = read_sql(project)
    found = [
        *(found for rule in RULES if isinstance(rule, Rule) for found in rule.check(project)),
        *(found for rule in RULES if isinstance(rule, SqlRule) for found in rule.check(project, sql)),
    ]
    return sorted(found)


def read_sql(project: Project) -> SqlAnswers:
    """Every piece of the project's SQL, read (or remembered, where the artifacts' paths say) once."""
    sources = [(source.model, source.declaration) for source in project.sources]
    remembered_at = project.artifacts.paths.sql_answers
    return read_project_sql(sources, project.manifest.adapter_type, remembered_at)


def errors(violations: list[Violation]) -> list[Violation]:
    return [violation for violation in violations if violation.severity == "error"]
