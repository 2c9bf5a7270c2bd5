"""The rules dbt documents for a package that must run on dbt-core 1.x and dbt v2 alike, checked
statically: over the macros, parsed with dbt's own Jinja environment (never with regexes), and over
dbt's YAML. Each rule is a function from the parsed files to a list of problems, one line each, naming
the file and the fix; tests/test_dbt_package_rules.py runs them on the repository and on a deliberately
bad snippet each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dbt.artifacts.resources import ModelConfig, SeedConfig, SnapshotConfig, TestConfig
from dbt.parser.schemas import is_valid_type
from dbt_common.clients.jinja import get_environment
from jinja2 import nodes

PACKAGE = "statsig_sources"
MACRO_PREFIX = "dbt_macro__"  # how dbt's Jinja environment names a macro or test block
# The configs dbt itself defines: `config.get()` may read these; custom data lives in config.meta.
DBT_CONFIGS = frozenset(
    field.name.removeprefix("_")
    for config in (ModelConfig, SeedConfig, SnapshotConfig, TestConfig)
    for field in dataclasses.fields(config)
)
# dbt 1.10 and later: these properties belong under a resource's (or column's) `config:`.
MOVED_TO_CONFIG = ("meta", "tags")
# What a generic test's entry may hold besides its `arguments:` (dbt 1.10 and later).
TEST_PROPERTIES = frozenset({"arguments", "config", "name", "description", "column_name"})
RESOURCES = ("models", "seeds", "snapshots", "analyses", "exposures", "sources")


@dataclass(frozen=True)
class Macro:
    name: str
    arguments: tuple[str, ...]
    defaults_none: frozenset[str]  # arguments whose default is `none`
    path: str
    node: nodes.Macro


@dataclass(frozen=True)
class Package:
    """The package's macro files (path -> parsed template), its macros and the documented ones."""

    templates: Mapping[str, nodes.Template]
    macros: Mapping[str, Macro]
    documented: Mapping[str, Mapping[str, Any]]  # name -> its entry in _macros.yml


def parse_package(macro_files: Mapping[str, str], macros_yml: Mapping[str, Any]) -> Package:
    environment = get_environment()
    templates = {path: environment.parse(text) for path, text in macro_files.items()}
    macros = {}
    for path, template in templates.items():
        for node in template.find_all(nodes.Macro):
            name = node.name.removeprefix(MACRO_PREFIX)
            arguments = tuple(argument.name for argument in node.args)
            defaults = dict(zip(arguments[len(arguments) - len(node.defaults) :], node.defaults, strict=True))
            none = frozenset(a for a, d in defaults.items() if isinstance(d, nodes.Const) and d.value is None)
            macros[name] = Macro(name, arguments, none, path, node)
    documented = {entry["name"]: entry for entry in macros_yml.get("macros") or []}
    return Package(templates, macros, documented)


def _walk(
    node: nodes.Node, parent: nodes.Node | None = None
) -> Iterator[tuple[nodes.Node, nodes.Node | None]]:
    yield node, parent
    for child in node.iter_child_nodes():
        yield from _walk(child, node)


def _calls_named(template: nodes.Template, name: str) -> Iterator[tuple[nodes.Call, nodes.Node | None]]:
    for node, parent in _walk(template):
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == name:
            yield node, parent


def _implements(name: str, macros: Mapping[str, Macro]) -> str | None:
    """The dispatched macro `name` implements (`default__x`, `<adapter>__x`), or None."""
    prefix, separator, dispatched = name.partition("__")
    return dispatched if separator and prefix and dispatched in macros else None


def documented_arguments_match_signatures(package: Package) -> list[str]:
    """dbt 1.12 checks each documented argument's name, their number and their types."""
    problems = []
    for name, entry in package.documented.items():
        macro = package.macros.get(name)
        if macro is None:
            problems.append(f"macros/_macros.yml documents {name}, which no macro file defines")
            continue
        documented = entry.get("arguments") or []
        names = tuple(argument.get("name") for argument in documented)
        if documented and names != macro.arguments:
            problems.append(f"{macro.path}: {name}{macro.arguments} is documented with arguments {names}")
        for argument in documented:
            kind = str(argument.get("type") or "")
            if not is_valid_type(kind):
                problems.append(
                    f"macros/_macros.yml: {name}.{argument.get('name')} has type {kind!r}, not dbt's"
                )
            elif argument.get("name") in macro.defaults_none and not kind.startswith(("optional[", "any")):
                problems.append(
                    f"macros/_macros.yml: {name}.{argument.get('name')} defaults to none, so its type is "
                    f"optional[...], not {kind!r}"
                )
    return problems


def every_macro_is_documented(package: Package) -> list[str]:
    """Every macro but a dispatch implementation is in _macros.yml; a public one with arguments
    documents them (dbt checks only the arguments a YAML entry lists)."""
    problems = []
    for name, macro in package.macros.items():
        if _implements(name, package.macros):
            continue
        entry = package.documented.get(name)
        if entry is None:
            problems.append(f"{macro.path}: {name} is not documented in macros/_macros.yml")
        elif macro.arguments and not name.startswith("_") and not entry.get("arguments"):
            problems.append(f"macros/_macros.yml: {name} does not document its arguments {macro.arguments}")
    return problems


def implementations_take_the_dispatched_arguments(package: Package) -> list[str]:
    problems = []
    for name, macro in package.macros.items():
        dispatched = _implements(name, package.macros)
        if dispatched and macro.arguments != package.macros[dispatched].arguments:
            expected = package.macros[dispatched].arguments
            problems.append(f"{macro.path}: {name}{macro.arguments} implements {dispatched}{expected}")
    return problems


def return_only_as_a_statement(package: Package) -> list[str]:
    """`{{ return(...) }}` or `{% do return(...) %}`: dbt v2 ends a macro only there."""
    problems = []
    for path, template in package.templates.items():
        for call, parent in _calls_named(template, "return"):
            alone = isinstance(parent, nodes.Output) and all(
                item is call or (isinstance(item, nodes.TemplateData) and not item.data.strip())
                for item in parent.nodes
            )
            if not alone and not isinstance(parent, nodes.ExprStmt):
                problems.append(f"{path}:{call.lineno}: return() inside an expression; make it a statement")
    return problems


def execute_is_tested_truthily(package: Package) -> list[str]:
    """`if execute` / `if not execute`, never compared: dbt v2's `execute` is not always a bool."""
    problems = []
    for path, template in package.templates.items():
        for node, parent in _walk(template):
            if (
                isinstance(node, nodes.Name)
                and node.name == "execute"
                and isinstance(parent, (nodes.Compare, nodes.Operand, nodes.Test))
            ):
                problems.append(f"{path}:{node.lineno}: `execute` compared; test it truthily (`if execute`)")
    return problems


def custom_data_is_read_from_meta(package: Package) -> list[str]:
    """`config.get('<key>')` only for dbt's own configs: dbt v2 rejects custom config keys, so custom
    data lives in, and is read from, config.meta."""
    problems = []
    for path, template in package.templates.items():
        for node, _ in _walk(template):
            if not (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr)):
                continue
            receiver = node.node.node
            is_config = (isinstance(receiver, nodes.Name) and receiver.name == "config") or (
                isinstance(receiver, nodes.Getattr) and receiver.attr == "config"
            )
            key = node.args[0] if node.args else None
            if node.node.attr == "get" and is_config and isinstance(key, nodes.Const):
                if key.value not in DBT_CONFIGS:
                    problems.append(
                        f"{path}:{node.lineno}: config.get({key.value!r}): read it from config.meta"
                    )
    return problems


def generic_tests_dispatch(package: Package) -> list[str]:
    """A `{% test x %}` only returns `adapter.dispatch('test_x', <package>)(...)`, and
    `default__test_x` exists, so an adapter can override the test (as dbt-utils' tests do)."""
    problems = []
    for name, macro in package.macros.items():
        if not name.startswith("test_") or _implements(name, package.macros):
            continue
        calls = [call for call, _ in _calls_named(macro.node, "return")]
        target = calls[0].args[0] if len(calls) == 1 and calls[0].args else None
        dispatch = target.node if isinstance(target, nodes.Call) else None
        is_dispatch = isinstance(dispatch, nodes.Call) and isinstance(dispatch.node, nodes.Getattr)
        is_dispatch = is_dispatch and dispatch.node.attr == "dispatch"  # type: ignore[union-attr]
        arguments = [a.value for a in dispatch.args if isinstance(a, nodes.Const)] if is_dispatch else []
        if arguments != [name, PACKAGE]:
            problems.append(
                f"{macro.path}: test {name} does not return adapter.dispatch('{name}', '{PACKAGE}')"
            )
        if f"default__{name}" not in package.macros:
            problems.append(f"{macro.path}: test {name} has no default__{name}")
    return problems


def schema_names_are_never_none(package: Package) -> list[str]:
    """dbt v2 requires generate_schema_name to return a string."""
    problems = []
    for name, macro in package.macros.items():
        if not name.endswith("schema_name"):
            continue
        for call, _ in _calls_named(macro.node, "return"):
            value = call.args[0] if call.args else None
            if value is None or (isinstance(value, nodes.Const) and value.value is None):
                problems.append(f"{macro.path}:{call.lineno}: {name} returns none; return a schema name")
    return problems


MACRO_RULES = (
    documented_arguments_match_signatures,
    every_macro_is_documented,
    implementations_take_the_dispatched_arguments,
    return_only_as_a_statement,
    execute_is_tested_truthily,
    custom_data_is_read_from_meta,
    generic_tests_dispatch,
    schema_names_are_never_none,
)


def properties_under_config(path: str, document: Any) -> list[str]:
    """`meta` and `tags` under `config:` for every resource and column (dbt 1.10 and later; dbt v2
    drops them elsewhere), and generic tests' arguments under `arguments:`."""
    problems: list[str] = []
    if not isinstance(document, Mapping):
        return problems
    for kind in RESOURCES:
        # A list of resources; a mapping under `models:` is dbt_project.yml's (folder configs), not this.
        for resource in _mappings(document.get(kind)):
            where = f"{path}: {kind} {resource.get('name')!r}"
            problems += _resource_problems(where, resource)
            for table in _mappings(resource.get("tables")) if kind == "sources" else []:
                problems += _resource_problems(f"{where} table {table.get('name')!r}", table)
    return problems


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _resource_problems(where: str, resource: Mapping[str, Any]) -> list[str]:
    problems = _moved(where, resource) + _tests(where, resource)
    for column in _mappings(resource.get("columns")):
        column_where = f"{where} column {column.get('name')!r}"
        problems += _moved(column_where, column) + _tests(column_where, column)
    return problems


def _moved(where: str, properties: Mapping[str, Any]) -> list[str]:
    return [f"{where}: `{key}` belongs under `config:`" for key in MOVED_TO_CONFIG if key in properties]


def _tests(where: str, properties: Mapping[str, Any]) -> list[str]:
    problems = [f"{where}: `tests:` is `data_tests:` since dbt 1.8"] if "tests" in properties else []
    for test in _mappings(properties.get("data_tests")) + _mappings(properties.get("tests")):
        for name, spec in test.items():
            for key in sorted(set(spec or {}) - TEST_PROPERTIES) if isinstance(spec, Mapping) else []:
                problems.append(f"{where}: test {name}'s `{key}` belongs under `arguments:` (or `config:`)")
    return problems
