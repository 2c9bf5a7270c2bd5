"""Real dbt parses the exposures `usage` writes from hostile metrics: every text field of Statsig's
metric schema, one metric each, holding `{{ env_var('STATSIG_CONSOLE_API_KEY') }}`, other Jinja and
control characters. dbt keeps the literal text, and the key (set in dbt's environment) never reaches
its manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dbt_harness import DbtProject, copy_package_project
from exposure_meta import statsig_metric
from hostile_statsig import HostileServer, Seen, envelope
from hostile_statsig.metric_fields import PAYLOAD, SHOWN_IN_EXPOSURE, dotted, hostile_metrics, value_at

from statsig_sources.cli import main

pytestmark = pytest.mark.dbt

KEY = "console-HOSTILEKEY0123456789"
METRICS = hostile_metrics("orders")  # the demo's `demo_orders` source


@pytest.fixture(scope="module")
def parsed(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo's dbt files, given exposures of every hostile metric, parsed by dbt with the key set."""
    workdir = tmp_path_factory.mktemp("hostile_exposures")
    project_dir = workdir / "project"
    copy_package_project(repo_root, project_dir)
    env = {"STATSIG_SOURCES_DUCKDB_PATH": str(workdir / "demo.duckdb"), "STATSIG_CONSOLE_API_KEY": KEY}
    project = DbtProject(project_dir, env)
    assert project.invoke("parse").success
    metrics = [metric for _, metric in METRICS]

    def script(seen: Seen) -> Any:
        return envelope(metrics if seen.path == "/metrics/list" else [], total=None)

    exposures = project_dir / "models" / "statsig_exposures.yml"
    with HostileServer(script) as server:
        args = ["usage", "--project-dir", str(project_dir), "--write-exposures", str(exposures)]
        env_cli = {"STATSIG_API_URL": server.url, "STATSIG_CONSOLE_API_KEY": KEY}
        result = CliRunner().invoke(main, args, env=env_cli, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    again = project.invoke("parse")
    assert again.success, again.exception
    text = (project_dir / "target" / "manifest.json").read_text(encoding="utf-8")
    assert KEY not in text
    manifest: dict[str, Any] = json.loads(text)
    return {statsig_metric(e)["id"]: e for e in manifest["exposures"].values()}


@pytest.mark.parametrize(("path", "metric"), METRICS, ids=[dotted(path) for path, _ in METRICS])
def test_dbt_keeps_each_statsig_field_literal_and_never_evaluates_it(
    parsed: dict[str, Any], path: tuple[Any, ...], metric: dict[str, Any]
) -> None:
    exposure = parsed.get(metric["id"])
    if path == ("warehouseNative", "metricSourceName"):
        assert exposure is None  # no longer reads a source dbt manages
        return
    assert exposure is not None
    assert exposure["depends_on"]["nodes"] == ["model.statsig_sources.demo_orders"]
    if path in SHOWN_IN_EXPOSURE:
        shown = value_at(exposure, SHOWN_IN_EXPOSURE[path])
        assert shown == value_at(metric, path)
        assert PAYLOAD in shown
