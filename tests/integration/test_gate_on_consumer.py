"""One gate on a real manifest: the unfriendly consumer (tests/fixtures/unfriendly_project) declares a
ratio whose denominator is another source, and that source's declaration has a problem. dbt parses
it; every command reports the broken source once, under its declared name, and the commands that
only read Statsig refuse it as the registering ones do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject
from unfriendly_support import drop_measure, edit_source, unfriendly_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig

pytestmark = pytest.mark.dbt

KEY = "console-GATE42"
BROKEN = (
    "error: [unit_types] model.unfriendly_shop.statsig_order_totals "
    "(models/statsig/statsig_order_totals.sql, models/statsig/_statsig.yml): "
    "meta.statsig.unit_ids.customer_id has unknown unit type `companyID` (known: userID, stableID; "
    "list custom unit types in the var statsig_custom_unit_types)"
)
RATIO = {
    "name": "Revenue per order total",
    "aggregation": "ratio",
    "numerator_aggregation": "sum",
    "value_column": "value",
    "denominator": {"source": "order_totals", "aggregation": "sum", "value_column": "value"},
}


@pytest.fixture(scope="module")
def parsed(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    project = unfriendly_project(tmp_path_factory.mktemp("gate"), repo_root, views=True)
    edit_source(project, "statsig_order_totals", drop_measure("total_order_amount"))
    edit_source(project, "statsig_order_totals", _declare(value="amount", source_name="order_totals"))
    edit_source(project, "statsig_order_totals", lambda entry: entry["columns"].append({"name": "value"}))
    edit_source(project, "statsig_orders", _declare(metrics=[RATIO]))
    edit_source(project, "statsig_order_totals", _declare(unit_ids={"customer_id": "companyID"}))
    result = project.invoke("parse")
    assert result.success, result.exception
    return project


def _declare(**keys: Any) -> Any:
    return lambda entry: entry["config"]["meta"]["statsig"].update(keys)


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


@pytest.mark.parametrize("command", ["validate", "render", "plan", "apply", "usage", "reload"])
def test_every_command_reports_the_broken_source_once_under_its_declared_name(
    fake: FakeStatsig, parsed: DbtProject, command: str
) -> None:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    args = [command, "--project-dir", str(parsed.project_dir)]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stdout.splitlines() if line.startswith("error: ")]
    assert errors == [BROKEN]
    assert "denominator.source" not in result.output  # the ratio is not blamed for its source's problem
    if command != "validate":
        assert result.stdout.splitlines()[-1].startswith(f"{command} refused: ")
    assert fake.requests == []
