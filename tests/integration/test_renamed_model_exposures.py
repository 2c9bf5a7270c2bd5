"""Exposures never hold dbt hostage, with real dbt on the consumer fixture: after a registered model is
renamed, the committed exposures file makes `dbt parse` fail; `usage --prune-exposures` (no manifest, no
key, no network) removes the exposures on the gone model and `dbt parse` passes again; and
`usage --write-exposures` on the last good manifest leaves them out instead of keeping them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dbt_harness import DbtProject, copy_consumer_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, make_metric

pytestmark = pytest.mark.dbt

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "consumer_project"
KEY = "console-PRUNE0042"
EXPOSURES = Path("models") / "statsig" / "_statsig_exposures.yml"
METRICS = [
    make_metric("Purchases", "purchases"),
    make_metric("App events", "statsig_app_events"),
    make_metric(
        "Spend per purchase",
        "statsig_daily_spend",
        aggregation="ratio",
        valueColumn="value",
        denominatorMetricSourceName="purchases",
        denominatorAggregation="count",
    ),
]
NOT_FOUND = "depends on a node named 'statsig_purchases' which was not found"


@pytest.fixture
def consumer(tmp_path: Path, repo_root: Path) -> Iterator[tuple[DbtProject, FakeStatsig]]:
    """The consumer, parsed, with the exposures `usage` wrote for three metrics committed beside it."""
    project_dir = copy_consumer_project(FIXTURE, tmp_path / "project", repo_root)
    project = DbtProject(project_dir, {"STATSIG_CONSUMER_DUCKDB": str(tmp_path / "never-opened.duckdb")})
    assert project.invoke("deps").success
    assert project.invoke("parse", "--target", "prod").success
    with FakeStatsig() as fake:
        fake.seed_metrics(METRICS)
        written = usage(fake, project, "--write-exposures", str(project_dir / EXPOSURES))
        assert written.exit_code == 0, written.output
        yield project, fake


def usage(fake: FakeStatsig | None, project: DbtProject, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY} if fake else {}
    command = ["usage", "--project-dir", str(project.project_dir), *args]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def parse(project: DbtProject) -> tuple[bool, str]:
    result = project.invoke("parse", "--target", "prod", "--no-partial-parse")
    return result.success, str(result.exception or "")


def rename_purchases(project: DbtProject) -> None:
    """The pull request that renames `statsig_purchases` to `statsig_payments` (its SQL and its YAML)."""
    models = project.project_dir / "models" / "statsig"
    (models / "statsig_purchases.sql").rename(models / "statsig_payments.sql")
    yml = models / "_statsig.yml"
    yml.write_text(yml.read_text().replace("name: statsig_purchases", "name: statsig_payments"))


def exposure_names(project: DbtProject) -> list[str]:
    manifest = json.loads((project.project_dir / "target" / "manifest.json").read_text())
    return sorted(exposure["name"] for exposure in manifest["exposures"].values())


def test_a_rename_breaks_dbt_parse_and_prune_exposures_fixes_it_with_no_manifest_key_or_network(
    consumer: tuple[DbtProject, FakeStatsig],
) -> None:
    project, fake = consumer
    assert parse(project)[0]
    assert exposure_names(project) == [
        "statsig_app_events",
        "statsig_purchases",
        "statsig_spend_per_purchase",
    ]
    rename_purchases(project)
    ok, error = parse(project)
    assert not ok and NOT_FOUND in error
    (project.project_dir / "target" / "manifest.json").unlink()  # dbt parse failed: there is none to read
    before = len(fake.requests)
    result = usage(None, project, "--prune-exposures", str(project.project_dir / EXPOSURES))
    assert (result.exit_code, result.stderr, fake.requests[before:]) == (0, "", [])
    assert result.stdout == (
        f"{project.project_dir / EXPOSURES}: removed 2 exposure(s) on models gone from the project's files:\n"
        "  statsig_purchases (metric Purchases::user_warehouse): depends on statsig_purchases, gone from "
        "the project's files\n"
        "  statsig_spend_per_purchase (metric Spend per purchase::user_warehouse): depends on "
        "statsig_purchases, gone from the project's files\n"
    )
    assert parse(project) == (True, "")
    assert exposure_names(project) == ["statsig_app_events"]


def test_write_exposures_on_the_last_good_manifest_leaves_the_gone_model_out(
    consumer: tuple[DbtProject, FakeStatsig],
) -> None:
    project, fake = consumer
    rename_purchases(project)  # target/manifest.json is still the one parsed before the rename
    path = project.project_dir / EXPOSURES
    result = usage(fake, project, "--write-exposures", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(  # after usage's warnings on this parse-only manifest
        "Left out exposure statsig_purchases (metric Purchases::user_warehouse): depends on "
        "statsig_purchases, gone from the project's files\n"
        "Left out exposure statsig_spend_per_purchase (metric Spend per purchase::user_warehouse): depends "
        "on statsig_purchases, gone from the project's files\n"
        f"Wrote {path}.\n"
    )
    assert "statsig_purchases" not in path.read_text()
    assert parse(project) == (True, "")
    assert exposure_names(project) == ["statsig_app_events"]
