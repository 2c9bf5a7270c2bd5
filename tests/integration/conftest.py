"""Session fixtures: the consumer fixture project, installed with the package and built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dbt_harness import DbtProject, copy_consumer_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "consumer_project"


@pytest.fixture(scope="session")
def consumer_project(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> DbtProject:
    workdir = tmp_path_factory.mktemp("consumer")
    project_dir = copy_consumer_project(FIXTURE, workdir / "project", repo_root)
    project = DbtProject(project_dir, {"STATSIG_CONSUMER_DUCKDB": str(workdir / "consumer.duckdb")})
    deps = project.invoke("deps")
    assert deps.success, deps.exception
    return project


@pytest.fixture(scope="session")
def consumer_build(consumer_project: DbtProject) -> dict[str, object]:
    """`dbt build` on the production target; every node must succeed."""
    result = consumer_project.invoke("build", "--target", "prod")
    failures = [
        f"{item.node.name}: {item.status} {item.message}"
        for item in (result.result.results if result.result else [])
        if str(item.status) not in ("success", "pass")
    ]
    assert result.success and not failures, failures or result.exception
    return consumer_project.results_by_node(result)


@pytest.fixture(scope="session")
def consumer_db(
    consumer_build: dict[str, object], consumer_project: DbtProject
) -> Iterator[duckdb.DuckDBPyConnection]:
    # dbt-duckdb keeps its database instance open in this process; a second connection shares it only
    # when opened the way dbt-duckdb opens it (read-write, no config).
    connection = duckdb.connect(consumer_project.env["STATSIG_CONSUMER_DUCKDB"])
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def negative_build(
    consumer_project: DbtProject, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """The deliberately bad sources, built into a database of their own with failures stored."""
    database = tmp_path_factory.mktemp("negative") / "negative.duckdb"
    project = DbtProject(consumer_project.project_dir, {"STATSIG_CONSUMER_DUCKDB": str(database)})
    result = project.invoke(
        "build",
        "--select",
        "+path:models/negative",
        "--vars",
        "{statsig_negative_cases: true}",
        "--store-failures",
        "--target-path",
        str(database.parent / "target"),
    )
    assert result.result is not None, result.exception
    results = project.results_by_node(result)
    results["__database__"] = database
    return results
