"""The CLI judges every declaration of the shared case table as the table says (the package's macro is
held to the same table in tests/integration/test_declaration_contract_in_dbt.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from statsig_sources.declaration.contract import declaration_contract
from statsig_sources.declaration.source import Problem, parse_declaration

CASES_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "contract" / "declaration_cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
CUSTOM_UNIT_TYPES = ("companyID",)


def model_name(case: dict[str, Any]) -> str:
    return str(case.get("model") or f"case_{case['name']}")


def problem_key(problem: Problem) -> str:
    """`code path`, the path relative to meta.statsig, as the case table writes it."""
    return f"{problem.code} {problem.path.removeprefix('meta.statsig.')}"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_cli_reports_exactly_the_problems_the_table_lists(case: dict[str, Any]) -> None:
    declaration, problems = parse_declaration(
        case["declaration"], model_name=model_name(case), custom_unit_types=CUSTOM_UNIT_TYPES
    )
    assert [problem_key(problem) for problem in problems] == case["problems"]
    assert (declaration is None) == bool(case["problems"])


def test_the_table_has_at_least_30_cases_with_unique_names() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) >= 30 and len(set(names)) == len(names)


def test_a_metric_problem_names_the_metric_and_the_key() -> None:
    raw = {
        "granularity": "event_log",
        "unit_ids": {"user_id": "userID"},
        "timestamp": "t",
        "value": "amount",
        "metrics": [{"name": "Order revenue", "aggregation": "sum", "value_column": "amount_usd"}],
    }
    _, problems = parse_declaration(raw, model_name="m")
    assert [problem.message for problem in problems] == [
        "meta.statsig.metrics[Order revenue].value_column `amount_usd` is not a column of this source (its "
        "columns: user_id, timestamp, value)"
    ]


def test_every_key_of_the_contract_appears_in_a_valid_case() -> None:
    used = {key for case in CASES if not case["problems"] for key in case["declaration"]}
    assert set(declaration_contract()["keys"]) - used == set()


def _valid_metrics() -> list[dict[str, Any]]:
    return [
        metric
        for case in CASES
        if not case["problems"]
        for metric in case["declaration"].get("metrics") or ()
    ]


def test_every_metric_key_aggregation_and_condition_appears_in_a_valid_case() -> None:
    spec = declaration_contract()["metrics"]
    metrics = _valid_metrics()
    denominators = [metric["denominator"] for metric in metrics if metric.get("denominator")]
    criteria = [c for m in [*metrics, *denominators] for c in m.get("criteria") or ()]
    assert set(spec["keys"]) - {key for metric in metrics for key in metric} == set()
    assert set(spec["denominator_keys"]) - {key for d in denominators for key in d} == set()
    assert set(spec["criterion_keys"]) - {key for criterion in criteria for key in criterion} == set()
    assert set(spec["keys"]["aggregation"]["choices"]) - {m["aggregation"] for m in metrics} == set()
    assert set(spec["criterion_keys"]["condition"]["choices"]) - {c["condition"] for c in criteria} == set()


def test_every_message_of_the_contract_is_provoked_by_a_case() -> None:
    provoked = {problem.split(" ")[0] for case in CASES for problem in case["problems"]}
    codes = set(declaration_contract()["messages"]) - {"model_name_hint"}
    assert codes - provoked == set()


def test_a_problem_is_worded_from_the_contract_with_its_path_first() -> None:
    _, problems = parse_declaration(
        {"granularity": "hourly", "unit_ids": {"user_id": "userID"}, "timestamp": "t"}, model_name="m"
    )
    assert problems == [
        Problem(
            "not_choice",
            "meta.statsig.granularity",
            "meta.statsig.granularity must be one of event_log, daily_fact, daily_aggregate, not `hourly`",
        )
    ]


def test_a_custom_unit_type_is_valid_only_when_listed() -> None:
    raw = {"granularity": "event_log", "unit_ids": {"company_id": "companyID"}, "timestamp": "t"}
    _, unlisted = parse_declaration(raw, model_name="m")
    assert [problem.message for problem in unlisted] == [
        "meta.statsig.unit_ids.company_id has unknown unit type `companyID` (known: userID, stableID; "
        "list custom unit types in the var statsig_custom_unit_types)"
    ]
    assert parse_declaration(raw, model_name="m", custom_unit_types=["companyID"])[1] == []
