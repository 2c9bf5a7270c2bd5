"""The package's demo with the exposures `statsig-sources usage --write-exposures` writes for a set of
Statsig metrics (served by the stand-in), as a team's project holds them after a scheduled usage job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from dbt_harness import DbtProject, copy_package_project

from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig, make_metric

KEY = "console-TESTKEY0123456789"
JINJA_DESCRIPTION = "Orders per user. Not a {{ doc('x') }} block, nor {% if true %}a statement{% endif %}."
EXPOSURES_FILE = Path("models") / "statsig_exposures.yml"


def _metric(name: str, aggregation: str, hidden: bool = False, **native: Any) -> dict[str, Any]:
    native.setdefault("description", "")
    return make_metric(name, hidden=hidden, aggregation=aggregation, **native)


# One metric of each way a metric reads sources, one hidden, one whose text holds Jinja, and one on a
# source dbt does not manage.
METRICS = [
    _metric(
        "Checkout Funnel",
        "funnel",
        funnelEvents=[
            {"name": "visit", "metricSourceName": "app_events"},
            {"name": "buy", "metricSourceName": "orders"},
        ],
    ),
    _metric(
        "Revenue per Active User",
        "ratio",
        metricSourceName="user_daily_revenue",
        valueColumn="value",
        denominatorMetricSourceName="user_daily_activity",
        denominatorValueColumn="sessions",
    ),
    _metric("Orders {{ total }}", "count", metricSourceName="orders", description=JINJA_DESCRIPTION),
    _metric(
        "Hidden Minutes",
        "mean",
        hidden=True,
        metricSourceName="user_daily_activity",
        valueColumn="minutes_active",
    ),
    _metric("Hand Made", "count", metricSourceName="legacy_clicks"),
]


def demo_with_exposures(repo_root: Path, workdir: Path) -> tuple[DbtProject, Path]:
    """A copy of the repository's dbt files, parsed, then given exposures by `usage`."""
    project_dir = workdir / "project"
    copy_package_project(repo_root, project_dir)
    project = DbtProject(project_dir, {"STATSIG_SOURCES_DUCKDB_PATH": str(workdir / "demo.duckdb")})
    parsed = project.invoke("parse")
    assert parsed.success, parsed.exception
    exposures = project_dir / EXPOSURES_FILE
    with FakeStatsig() as fake:
        fake.seed_metrics(METRICS)
        env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
        args = ["usage", "--project-dir", str(project_dir), "--write-exposures", str(exposures)]
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return project, exposures
