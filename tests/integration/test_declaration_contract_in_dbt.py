"""The package's macro judges the shared case table exactly as the CLI does: one dbt model per case in a
copy of the consumer fixture, run by real dbt on DuckDB, and each compile error carries the CLI's own
sentences for the same model in the same manifest (which records the consumer's var
statsig_custom_unit_types for the CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt_harness import DbtProject, copy_consumer_project
from project_support import load_project

pytestmark = pytest.mark.dbt

CASES_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "contract" / "declaration_cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
CONSUMER = Path(__file__).resolve().parent.parent / "fixtures" / "consumer_project"


def model_name(case: dict[str, Any]) -> str:
    return str(case.get("model") or f"case_{case['name']}")


def macro_problems(message: str) -> list[str]:
    """The problem sentences of the macro's compile error: one `- ` line each."""
    return [line.strip()[2:] for line in message.splitlines() if line.strip().startswith("- meta.statsig")]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> tuple[dict[str, Any], Path]:
    """Each case as a model of its own in a copy of the consumer fixture, run by dbt on DuckDB."""
    root = tmp_path_factory.mktemp("contract")
    project_dir = copy_consumer_project(CONSUMER, root / "project", repo_root)
    cases_dir = project_dir / "models" / "contract_cases"
    cases_dir.mkdir()
    models = []
    for case in CASES:
        name = model_name(case)
        sql = "{{ statsig_sources.statsig_source(ref('raw_purchases')) }}\n"
        (cases_dir / f"{name}.sql").write_text(sql, encoding="utf-8")
        models.append({"name": name, "config": {"meta": {"statsig": case["declaration"]}}})
    document = yaml.safe_dump({"version": 2, "models": models}, sort_keys=False)
    (cases_dir / "_cases.yml").write_text(document, encoding="utf-8")
    project = DbtProject(project_dir, {"STATSIG_CONSUMER_DUCKDB": str(root / "cases.duckdb")})
    for command in (("deps",), ("seed", "--select", "raw_purchases")):
        result = project.invoke(*command)
        assert result.success, result.exception
    # `run`, not `compile`: compile stops at the first compile error, run reports each model on its own.
    result = project.invoke("run", "--select", "path:models/contract_cases")
    return project.results_by_node(result), project_dir / "target" / "manifest.json"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_macro_and_the_cli_report_the_same_problems(
    compiled: tuple[dict[str, Any], Path], case: dict[str, Any]
) -> None:
    results, manifest = compiled
    outcome = results[model_name(case)]
    [source] = [s for s in load_project(manifest).sources if s.model.name == model_name(case)]
    cli = [problem.message for problem in source.declaration_problems]
    assert len(cli) == len(case["problems"])
    if case["problems"]:
        assert str(outcome.status) == "error"
        assert f"model '{model_name(case)}' (models/contract_cases/{model_name(case)}.sql" in outcome.message
        assert macro_problems(outcome.message) == cli
    else:
        assert (str(outcome.status), cli) == ("success", [])
