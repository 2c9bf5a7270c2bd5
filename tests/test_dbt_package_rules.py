"""dbt's rules for a package that runs on dbt-core 1.x and dbt v2 (tests/dbt_package_rules.py), checked
statically over the package's macros and over every dbt YAML file the repository holds or documents:
the package's own, the fixture projects', and the YAML examples in the docs. Each rule also fails on a
deliberately bad snippet, so a rule that can no longer fail is noticed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt_package_rules import MACRO_RULES, parse_package, properties_under_config
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PROJECTS = ("consumer_project", "dialect_project", "unfriendly_project", "ci_project")
NOT_PROPERTIES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
# A docs example that shows the old form on purpose says so in its first line.
DEPRECATED_EXAMPLE = "# The deprecated form"


def _repository_package() -> Any:
    macros = REPO_ROOT / "macros"
    files = {
        str(path.relative_to(REPO_ROOT)): path.read_text(encoding="utf-8") for path in macros.rglob("*.sql")
    }
    documented = yaml.safe_load((macros / "_macros.yml").read_text(encoding="utf-8"))
    return parse_package(files, documented)


def _dbt_yaml_documents() -> list[tuple[str, Any]]:
    """Every dbt properties file the package and its fixture projects hold, and every YAML example
    in the docs that declares dbt resources."""
    roots = [REPO_ROOT / "models", REPO_ROOT / "seeds", REPO_ROOT / "macros"]
    roots += [REPO_ROOT / "tests" / "fixtures" / name for name in FIXTURE_PROJECTS]
    paths = sorted(path for root in roots for path in root.rglob("*.yml") if path.name not in NOT_PROPERTIES)
    documents = [
        (str(p.relative_to(REPO_ROOT)), yaml.safe_load(p.read_text(encoding="utf-8"))) for p in paths
    ]
    for page in sorted((REPO_ROOT / "docs").glob("*.md")) + [REPO_ROOT / "README.md"]:
        blocks = re.findall(r"```ya?ml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
        for index, block in enumerate(blocks):
            if not block.startswith(DEPRECATED_EXAMPLE):
                where = f"{page.relative_to(REPO_ROOT)} (YAML example {index + 1})"
                documents.append((where, yaml.safe_load(block)))
    return documents


@pytest.mark.parametrize("rule", MACRO_RULES, ids=lambda rule: rule.__name__)
def test_the_macros_follow_the_rule(rule: Any) -> None:
    assert rule(_repository_package()) == []


def test_the_dbt_yaml_puts_meta_tags_and_test_arguments_where_dbt_reads_them() -> None:
    documents = _dbt_yaml_documents()
    assert len(documents) > 10  # the package's, the fixtures' and the docs' (a walk that finds none fails)
    assert [
        problem for path, document in documents for problem in properties_under_config(path, document)
    ] == []


def test_require_dbt_version_admits_dbt_v2_and_the_dbt_tested_here() -> None:
    from dbt.version import __version__

    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    required = SpecifierSet(",".join(project["require-dbt-version"]))
    assert Version("2.0.0") in required
    assert Version(__version__) in required


# A deliberately bad macro file for each rule: (rule, macro file, the YAML documenting it, problem).
GOOD_DOCS = {"macros": [{"name": "m", "arguments": [{"name": "x", "type": "string"}]}]}
BAD_MACROS = [
    (
        "documented_arguments_match_signatures",
        "{% macro m(x) %}{{ return(x) }}{% endmacro %}",
        {"macros": [{"name": "m", "arguments": [{"name": "x", "type": "object"}]}]},
        "macros/_macros.yml: m.x has type 'object', not dbt's",
    ),
    (
        "documented_arguments_match_signatures",
        "{% macro m(x, y) %}{{ return(x) }}{% endmacro %}",
        GOOD_DOCS,
        "macros/bad.sql: m('x', 'y') is documented with arguments ('x',)",
    ),
    (
        "documented_arguments_match_signatures",
        "{% macro m(x=none) %}{{ return(x) }}{% endmacro %}",
        GOOD_DOCS,
        "macros/_macros.yml: m.x defaults to none, so its type is optional[...], not 'string'",
    ),
    (
        "every_macro_is_documented",
        "{% macro m(x) %}{{ return(x) }}{% endmacro %}",
        {"macros": [{"name": "m", "description": "No arguments documented."}]},
        "macros/_macros.yml: m does not document its arguments ('x',)",
    ),
    (
        "implementations_take_the_dispatched_arguments",
        "{% macro m(x) %}{{ return(adapter.dispatch('m', 'statsig_sources')(x)) }}{% endmacro %}"
        "{% macro default__m(y) %}{{ return(y) }}{% endmacro %}",
        GOOD_DOCS,
        "macros/bad.sql: default__m('y',) implements m('x',)",
    ),
    (
        "return_only_as_a_statement",
        "{% macro m(x) %}{% set y = return(x) %}{% endmacro %}",
        GOOD_DOCS,
        "macros/bad.sql:1: return() inside an expression; make it a statement",
    ),
    (
        "execute_is_tested_truthily",
        "{% macro m(x) %}{% if execute == true %}{{ return(x) }}{% endif %}{% endmacro %}",
        GOOD_DOCS,
        "macros/bad.sql:1: `execute` compared; test it truthily (`if execute`)",
    ),
    (
        "custom_data_is_read_from_meta",
        "{% macro m(x) %}{{ return(config.get('statsig_source_name')) }}{% endmacro %}",
        GOOD_DOCS,
        "macros/bad.sql:1: config.get('statsig_source_name'): read it from config.meta",
    ),
    (
        "generic_tests_dispatch",
        "{% test t(model) %}select 1{% endtest %}",
        {"macros": [{"name": "test_t", "arguments": [{"name": "model", "type": "relation"}]}]},
        "macros/bad.sql: test test_t does not return adapter.dispatch('test_t', 'statsig_sources')",
    ),
    (
        "schema_names_are_never_none",
        "{% macro m_schema_name(x) %}{{ return(none) }}{% endmacro %}",
        {"macros": [{"name": "m_schema_name", "arguments": [{"name": "x", "type": "string"}]}]},
        "macros/bad.sql:1: m_schema_name returns none; return a schema name",
    ),
]


@pytest.mark.parametrize(("rule_name", "macro", "documented", "problem"), BAD_MACROS)
def test_each_macro_rule_fails_on_a_bad_macro(
    rule_name: str, macro: str, documented: dict[str, Any], problem: str
) -> None:
    [rule] = [rule for rule in MACRO_RULES if rule.__name__ == rule_name]
    assert problem in rule(parse_package({"macros/bad.sql": macro}, documented))


def test_every_macro_rule_has_a_bad_macro() -> None:
    assert {rule.__name__ for rule in MACRO_RULES} == {name for name, *_ in BAD_MACROS}


BAD_YAML = [
    (
        "models: [{name: m, meta: {statsig: {}}}]",
        "bad.yml: models 'm': `meta` belongs under `config:`",
    ),
    (
        "exposures: [{name: e, tags: [statsig]}]",
        "bad.yml: exposures 'e': `tags` belongs under `config:`",
    ),
    (
        "models: [{name: m, columns: [{name: c, meta: {pii: true}}]}]",
        "bad.yml: models 'm' column 'c': `meta` belongs under `config:`",
    ),
    (
        "sources: [{name: s, tables: [{name: t, tags: [raw]}]}]",
        "bad.yml: sources 's' table 't': `tags` belongs under `config:`",
    ),
    (
        "models: [{name: m, data_tests: [{statsig_sources.statsig_timestamp_not_in_future: "
        "{tolerance_minutes: 5}}]}]",
        "bad.yml: models 'm': test statsig_sources.statsig_timestamp_not_in_future's `tolerance_minutes` "
        "belongs under `arguments:` (or `config:`)",
    ),
    (
        "models: [{name: m, tests: [statsig_sources.statsig_keys_not_null]}]",
        "bad.yml: models 'm': `tests:` is `data_tests:` since dbt 1.8",
    ),
]


@pytest.mark.parametrize(("document", "problem"), BAD_YAML)
def test_the_yaml_rule_fails_on_bad_yaml(document: str, problem: str) -> None:
    assert properties_under_config("bad.yml", yaml.safe_load(document)) == [problem]


def test_the_yaml_rule_passes_the_new_forms() -> None:
    good = """
models:
  - name: m
    config: {meta: {statsig: {}}, tags: [x]}
    columns: [{name: c, config: {meta: {pii: true}}}]
    data_tests:
      - statsig_sources.statsig_timestamp_not_in_future:
          arguments: {tolerance_minutes: 5}
          config: {severity: warn}
"""
    assert properties_under_config("good.yml", yaml.safe_load(good)) == []
