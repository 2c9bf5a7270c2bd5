"""The command line on the consumer project's real manifest (dbt build, so compiled SQL is present):
validate, render (files Statsig accepts, SQL the warehouse runs) and plan/apply against the fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner, Result
from dbt_harness import DbtProject

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, schemas

pytestmark = pytest.mark.dbt

KEY = "console-INTEGRATIONKEY42"
# The consumer declares companyID (its var statsig_custom_unit_types); the CLI is told the same.
OPTIONS = ("--custom-unit-type", "companyID")
SOURCES = ["purchases", "statsig_app_events", "statsig_daily_spend", "statsig_daily_usage"]
UNENFORCEABLE = (
    "warning: [grants] grants are not enforceable on duckdb: dbt applies no grants there, so nothing "
    "limits who may read the governed schema\n"
)


@pytest.fixture(scope="module")
def consumer_dir(consumer_build: dict[str, object], consumer_project: DbtProject) -> Path:
    """The built consumer project: target/manifest.json holds compiled SQL."""
    return consumer_project.project_dir


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


def run(*args: str, fake: FakeStatsig | None = None) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY} if fake else {}
    return CliRunner().invoke(main, [*args, *OPTIONS], env=env, catch_exceptions=False)


def test_validate_real_manifest_passes_with_only_the_duckdb_grants_warning(consumer_dir: Path) -> None:
    result = run("validate", "--project-dir", str(consumer_dir))
    manifest = consumer_dir / "target" / "manifest.json"
    generated = json.loads(manifest.read_text())["metadata"]["generated_at"]
    read = (
        f"Read {manifest}: dbt project statsig_consumer, adapter duckdb, generated {generated[:10]} "
        f"{generated[11:19]} UTC, target prod; "
        f"statsig-sources {__version__}.\n"
    )
    expected = read + UNENFORCEABLE + "4 metric sources checked: 1 warning.\n"
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def test_validate_real_manifest_json_parses(consumer_dir: Path) -> None:
    result = run("validate", "--project-dir", str(consumer_dir), "--format", "json")
    report = json.loads(result.stdout)
    assert (result.exit_code, report["ok"], report["sources"]) == (0, True, 4)
    assert [(v["severity"], v["rule"]) for v in report["violations"]] == [("warning", "grants")]


def test_render_real_manifest_writes_valid_payloads_whose_sql_returns_the_views_rows(
    consumer_dir: Path, consumer_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = run("render", "--project-dir", str(consumer_dir), "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.yml"))
    assert [path.stem for path in files] == SOURCES
    validator = schemas.validator("MetricSourceCreationContractDto")
    for path in files:
        payload = yaml.safe_load(path.read_text())
        validator.validate(payload)
        assert "managed-by:statsig-sources:statsig_consumer" in payload["tags"]
        query = consumer_db.sql(payload["sql"])
        columns = ", ".join(f'"{name}"' for name in query.columns)
        view = consumer_db.sql(f"select {columns} from {_view(payload['sql'])}")
        assert sorted(query.fetchall(), key=repr) == sorted(view.fetchall(), key=repr), path.name
        assert len(view.columns) == len(consumer_db.sql(f"select * from {_view(payload['sql'])}").columns)


def _view(sql: str) -> str:
    """The governed relation a rendered `select ... from <relation>` reads."""
    return sql.rsplit("from ", 1)[1].strip()


def test_plan_apply_then_a_second_apply_changes_nothing(consumer_dir: Path, fake: FakeStatsig) -> None:
    project = ("--project-dir", str(consumer_dir))
    plan = run("plan", *project, "--format", "json", "--detailed-exitcode", fake=fake)
    assert plan.exit_code == 4, plan.output
    assert [(i["action"], i["name"]) for i in json.loads(plan.stdout)["items"]] == [
        ("create", name) for name in SOURCES
    ]
    first = run("apply", *project, "--yes", fake=fake)
    assert first.exit_code == 0, first.output
    assert "Applied: 4 write(s).\n" in first.stdout
    assert sorted(fake.sources) == SOURCES
    mutations = fake.mutations
    second = run("apply", *project, "--yes", fake=fake)
    assert second.exit_code == 0, second.output
    assert "0 to create, 0 to update, 4 unchanged" in second.stdout
    assert fake.mutations == mutations
