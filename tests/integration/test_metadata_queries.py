"""What the package asks the warehouse, counted from dbt's own events (its debug log) on DuckDB: the
queries dbt sends while it compiles a model, before it starts building it, are the package's metadata
queries (a plain view sends none). At most one per metric source when dbt builds it, whether or not
`timestamp_type` is declared (the upstream's columns and the timestamp's type in one query); none on
`compile`, `docs generate`, `ls` or `parse`. Per run, the package's hooks check that no governed view
went missing: one query on the governed schema when the run starts and one when it ends, on the
commands that replace relations only. benchmarks/metadata_queries.py prints the same figures in
`make bench`."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from dbt_harness import DbtProject

pytestmark = pytest.mark.dbt

PROJECT = """name: queries
version: "1.0.0"
config-version: 2
profile: queries
flags:
  send_anonymous_usage_stats: false
models:
  queries:
    +materialized: view
"""
PROFILES = """queries:
  target: prod
  outputs:
    prod:
      type: duckdb
      path: "{{ env_var('QUERIES_DUCKDB') }}"
      schema: analytics
"""
SCHEMA_OVERRIDE = """{% macro generate_schema_name(custom_schema_name, node) %}
    {{ return(statsig_sources.statsig_schema_name(custom_schema_name, node)) }}
{% endmacro %}
"""
SOURCE = "{{ statsig_sources.statsig_source(ref('upstream')) }}\n"
MODELS = {
    # DuckDB's current_timestamp is offset-aware (timestamptz): a probe that misses it leaves it unconverted.
    "upstream": "{{ config(materialized='table') }}\n"
    "select 'u1' as user_id, current_timestamp as event_at, 1.0 as amount\n",
    "plain_view": "select user_id, event_at, amount from {{ ref('upstream') }}\n",
    "source_probed": SOURCE,
    "source_declared": SOURCE,
    "source_expression": SOURCE,
    "source_declared_expression": SOURCE,
}
DECLARATIONS = """version: 2
models:
  - name: source_probed
    config: {meta: {statsig: {granularity: event_log, unit_ids: {user_id: userID}, timestamp: event_at}}}
  - name: source_declared
    config:
      meta:
        statsig: {granularity: event_log, unit_ids: {user_id: userID}, timestamp: event_at,
                  timestamp_type: offset_aware}
  - name: source_expression
    config:
      meta:
        statsig: {granularity: event_log, unit_ids: {user_id: userID},
                  timestamp: "event_at + interval 1 hour"}
  - name: source_declared_expression
    config:
      meta:
        statsig: {granularity: event_log, unit_ids: {user_id: userID},
                  timestamp: "event_at + interval 1 hour", timestamp_type: offset_aware}
"""
SOURCES = ("source_probed", "source_declared", "source_expression", "source_declared_expression")
VIEWS = ("plain_view", *SOURCES)


@pytest.fixture(scope="module")
def project(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    root = tmp_path_factory.mktemp("queries")
    project_dir = root / "project"
    (project_dir / "models").mkdir(parents=True)
    (project_dir / "macros").mkdir()
    (project_dir / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (project_dir / "profiles.yml").write_text(PROFILES, encoding="utf-8")
    (project_dir / "packages.yml").write_text(f"packages:\n  - local: {repo_root}\n", encoding="utf-8")
    (project_dir / "macros" / "generate_schema_name.sql").write_text(SCHEMA_OVERRIDE, encoding="utf-8")
    for name, body in MODELS.items():
        (project_dir / "models" / f"{name}.sql").write_text(body, encoding="utf-8")
    (project_dir / "models" / "_sources.yml").write_text(DECLARATIONS, encoding="utf-8")
    project = DbtProject(project_dir, {"QUERIES_DUCKDB": str(root / "queries.duckdb")})
    assert project.invoke("deps").success
    return project


def _node(event: Any) -> str:
    data = event.data
    has_node = hasattr(data, "node_info") and data.HasField("node_info")
    return str(data.node_info.unique_id).rsplit(".", 1)[-1] if has_node else ""


def queries_while_compiling(events: list[Any]) -> Counter[str]:
    """Per model, the queries dbt sent between starting to compile it and starting to build it."""
    counts: Counter[str] = Counter()
    compiling: set[str] = set()
    for event in events:
        name, node = event.info.name, _node(event)
        if name == "NodeCompiling":
            compiling.add(node)
            counts[node] += 0
        elif name == "NodeExecuting":
            compiling.discard(node)
        elif name == "SQLQuery" and node in compiling:
            counts[node] += 1
    return counts


@pytest.mark.parametrize("command", ["run", "build"])
def test_building_a_source_costs_at_most_one_metadata_query(project: DbtProject, command: str) -> None:
    result, events = project.invoke_logged(command)
    assert result.success, result.exception
    counts = queries_while_compiling(events)
    assert {name: counts[name] for name in VIEWS} == {
        "plain_view": 0,
        "source_probed": 1,
        "source_declared": 1,
        "source_expression": 1,
        # The expression is a column of the same query: whether it is text is known at no extra cost.
        "source_declared_expression": 1,
    }
    # The one query found each undeclared timestamp offset-aware, as declaring it says outright.
    compiled = {item.node.name: item.node.compiled_code for item in result.result.results}
    assert all("at time zone 'UTC'" in compiled[name] for name in SOURCES), compiled


@pytest.mark.parametrize(
    "command", [["compile"], ["docs", "generate"], ["ls"], ["parse", "--no-partial-parse"]], ids=" ".join
)
def test_no_other_command_asks_about_a_source(project: DbtProject, command: list[str]) -> None:
    assert project.invoke(
        "run", "--select", "upstream"
    ).success  # the upstream exists: nothing fails for lack of it
    result, events = project.invoke_logged(*command)
    assert result.success, result.exception
    asked = [
        str(event.data.sql) for event in events if event.info.name == "SQLQuery" and _node(event) in VIEWS
    ]
    assert asked == []
    warned = sorted(str(event.info.msg).split("'")[1] for event in events if event.info.level == "warn")
    # Each source whose timestamp type is not declared says so, once, where a model is compiled.
    assert warned == (["source_expression", "source_probed"] if command[0] in ("compile", "docs") else [])


def hook_queries(events: list[Any]) -> list[str]:
    """The queries the package's run hooks sent."""
    return [
        str(event.data.sql)
        for event in events
        if event.info.name == "SQLQuery" and _node(event).startswith("statsig_sources-on-run-")
    ]


@pytest.mark.parametrize(
    ("command", "expected"),
    [(["run"], 2), (["build"], 2), (["test"], 0), (["compile"], 0), (["docs", "generate"], 0), (["ls"], 0)],
    ids=["run", "build", "test", "compile", "docs generate", "ls"],
)
def test_the_run_hooks_ask_about_the_governed_schema_once_at_each_end_of_a_building_run(
    project: DbtProject, command: list[str], expected: int
) -> None:
    assert project.invoke("run").success  # every relation exists, so that `test` has views to test
    result, events = project.invoke_logged(*command)
    assert result.success, result.exception
    asked = hook_queries(events)
    assert len(asked) == expected, asked
    assert all("information_schema.tables" in query and "'statsig_staging'" in query for query in asked)


EPHEMERAL_SOURCE = """version: 2
models:
  - name: source_on_ephemeral
    config:
      meta:
        statsig: {{granularity: event_log, unit_ids: {{user_id: userID}}, timestamp: event_at{declared}}}
"""


@pytest.mark.parametrize("declared", [False, True], ids=["undeclared", "declared"])
def test_a_source_on_an_ephemeral_model_needs_its_timestamp_type_declared(
    project: DbtProject, tmp_path: Path, declared: bool
) -> None:
    """An ephemeral model is a CTE, not a relation: the warehouse cannot be asked its columns."""
    copy = DbtProject(tmp_path / "project", {"QUERIES_DUCKDB": str(tmp_path / "queries.duckdb")})
    # symlinks=True: dbt_packages/statsig_sources links to the repository, which is not to be copied.
    ignored = shutil.ignore_patterns("target", "logs")
    shutil.copytree(project.project_dir, copy.project_dir, symlinks=True, ignore=ignored)
    models = copy.project_dir / "models"
    (models / "ephemeral_upstream.sql").write_text(
        "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('upstream') }}\n", encoding="utf-8"
    )
    (models / "source_on_ephemeral.sql").write_text(
        "{{ statsig_sources.statsig_source(ref('ephemeral_upstream')) }}\n", encoding="utf-8"
    )
    declaration = ", timestamp_type: offset_aware" if declared else ""
    (models / "_ephemeral.yml").write_text(EPHEMERAL_SOURCE.format(declared=declaration), encoding="utf-8")
    result = copy.invoke("run", "--select", "+source_on_ephemeral")
    statuses = {r.node.name: str(r.status) for r in result.result.results if r.node.resource_type == "model"}
    if declared:
        assert statuses == {"upstream": "success", "source_on_ephemeral": "success"}
        return
    assert statuses["source_on_ephemeral"] == "error"
    [failed] = [item for item in result.result.results if item.node.name == "source_on_ephemeral"]
    assert (
        "statsig_sources: model 'source_on_ephemeral' (models/source_on_ephemeral.sql, "
        "models/_ephemeral.yml) reads the ephemeral model ephemeral_upstream, whose timestamp type the "
        "warehouse cannot be asked: declare meta.statsig.timestamp_type (offset_aware, naive or date)"
    ) in str(failed.message)
