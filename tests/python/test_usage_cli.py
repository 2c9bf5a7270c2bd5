"""`usage` through click against the loopback fake Statsig, and its exposures file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from exposure_meta import statsig_metric
from support import KEY
from test_usage import MARKDOWN, TEXT
from usage_support import METRICS, REMOTE_SOURCES, metric, two_source_manifest

from statsig_sources import __version__
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig
from statsig_sources.usage.exposures import escape_jinja, exposure_names, slug
from statsig_sources.usage.join import parse_metric


@pytest.fixture
def project(tmp_path: Path, fake: FakeStatsig) -> Path:
    two_source_manifest(tmp_path / "target" / "manifest.json")
    fake.seed_sources(
        {"sql": "select 1", "timestampColumn": "ts", "idTypeMapping": [], **s} for s in REMOTE_SOURCES
    )
    fake.seed_metrics(METRICS)
    return tmp_path


def invoke(fake: FakeStatsig, project: Path, *args: str, key: str | None = KEY) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": key}
    command = ["usage", "--project-dir", str(project), "--marker", "managed-by:statsig-sources:test", *args]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


@pytest.mark.parametrize(("fmt", "expected"), [("text", TEXT), ("markdown", MARKDOWN)])
def test_usage_prints_the_report_exactly(fake: FakeStatsig, project: Path, fmt: str, expected: str) -> None:
    result = invoke(fake, project, "--format", fmt)
    assert result.exit_code == 0, result.output
    read = (
        f"Read {project / 'target' / 'manifest.json'}: dbt project shop, adapter postgres, generated at "
        f"an unknown time; statsig-sources {__version__}.\n"
    )
    assert result.stdout == (read if fmt == "text" else "") + expected


def test_usage_json_prints_nothing_but_json_and_includes_hidden_metrics(
    fake: FakeStatsig, project: Path
) -> None:
    result = invoke(fake, project, "--format", "json")
    data = json.loads(result.stdout)
    purchases = next(s for s in data["sources"] if s["name"] == "statsig_purchases")
    assert [m["name"] for m in purchases["metrics"] if m["hidden"]] == ["Old Purchases"]


def test_usage_reads_sources_and_metrics_in_one_paginated_pass_each(fake: FakeStatsig, project: Path) -> None:
    invoke(fake, project, "--page-size", "2")
    paths = [(r.method, r.path, r.query.get("showHiddenMetrics")) for r in fake.requests]
    assert paths.count(("GET", "/console/v1/metrics/list", "true")) == 3  # 6 metrics, 2 a page
    assert paths.count(("GET", "/console/v1/metrics/metric_source/list", None)) == 1
    assert len(paths) == 4


def test_usage_without_a_key_exits_2_and_never_prints_it(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, key=None)
    assert result.exit_code == 2
    assert "No Statsig Console API key" in result.output


def test_usage_check_without_a_file_to_check_is_a_usage_error(fake: FakeStatsig, project: Path) -> None:
    result = invoke(fake, project, "--check")
    assert result.exit_code == 2
    assert "--check needs --write-exposures PATH or --prune-exposures PATH." in result.output


def test_exposures_rerun_is_byte_identical_and_check_detects_drift(fake: FakeStatsig, project: Path) -> None:
    path = project / "models" / "statsig_exposures.yml"
    assert invoke(fake, project, "--write-exposures", str(path)).exit_code == 0
    first = path.read_bytes()
    assert invoke(fake, project, "--write-exposures", str(path)).exit_code == 0
    assert path.read_bytes() == first
    assert invoke(fake, project, "--write-exposures", str(path), "--check").exit_code == 0
    fake.seed_metrics([metric("New One", "count", metricSourceName="refunds")])
    drift = invoke(fake, project, "--write-exposures", str(path), "--check")
    assert drift.exit_code == 1
    assert path.read_bytes() == first
    assert not [p for p in path.parent.iterdir() if p.name != path.name]  # no temporary files left


def _old_form(text: str) -> str:
    """An exposures file as statsig-sources 0.1.0 wrote it: each exposure's meta at its top level."""
    document = yaml.safe_load(text)
    for exposure in document["exposures"]:
        exposure["meta"] = exposure.pop("config")["meta"]
    return yaml.safe_dump(document, sort_keys=False)


def test_an_exposures_file_in_the_old_form_is_stale_until_rewritten_in_the_new_one(
    fake: FakeStatsig, project: Path
) -> None:
    path = project / "models" / "statsig_exposures.yml"
    assert invoke(fake, project, "--write-exposures", str(path)).exit_code == 0
    new = path.read_text(encoding="utf-8")
    path.write_text(_old_form(new), encoding="utf-8")
    old = yaml.safe_load(path.read_text(encoding="utf-8"))["exposures"]
    # What it records reads the same in both forms.
    assert [statsig_metric(e) for e in old] == [statsig_metric(e) for e in yaml.safe_load(new)["exposures"]]
    check = invoke(fake, project, "--write-exposures", str(path), "--check")
    assert (check.exit_code, check.stderr) == (1, f"{path} is stale.\n")
    rewrite = invoke(fake, project, "--write-exposures", str(path))
    assert (rewrite.exit_code, rewrite.stderr, path.read_text(encoding="utf-8")) == (
        0,
        f"Wrote {path}.\n",
        new,
    )
    assert invoke(fake, project, "--write-exposures", str(path), "--check").exit_code == 0


def test_exposures_yaml_has_owner_type_meta_and_every_model_a_metric_reads(
    fake: FakeStatsig, project: Path
) -> None:
    path = project / "exposures.yml"
    invoke(fake, project, "--write-exposures", str(path))
    exposures = {e["name"]: e for e in yaml.safe_load(path.read_text())["exposures"]}
    assert sorted(exposures) == [
        "statsig_checkout_funnel",
        "statsig_old_purchases",
        "statsig_purchase_revenue",
        "statsig_revenue_per_session",
    ]
    assert exposures["statsig_revenue_per_session"] == {
        "name": "statsig_revenue_per_session",
        "label": "Revenue per Session",
        "type": "analysis",
        "description": "Statsig metric Revenue per Session.",
        "url": "https://console.statsig.com/metrics/metric/Revenue%20per%20Session%3A%3Auser_warehouse",
        "owner": {"name": "Statsig"},
        "depends_on": ["ref('statsig_purchases')", "ref('statsig_sessions')"],
        "config": {
            "meta": {
                "statsig_metric": {
                    "id": "Revenue per Session::user_warehouse",
                    "aggregation": "ratio",
                    "hidden": False,
                    "managed_as_code": False,
                    "console_url": (
                        "https://console.statsig.com/metrics/metric/Revenue%20per%20Session%3A%3Auser_warehouse"
                    ),
                }
            }
        },
    }
    assert exposures["statsig_purchase_revenue"]["owner"] == {"name": "Ada", "email": "ada@example.com"}
    assert statsig_metric(exposures["statsig_old_purchases"])["hidden"] is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("{{ var('x') }}", "{{ '{' }}{ var('x') }}"),
        ("a {% if %} b", "a {{ '{' }}% if %} b"),
        ("{# note #}", "{{ '{' }}# note #}"),
        ("{{{", "{{ '{' }}{{ '{' }}{"),
        ("{ x }", "{ x }"),
    ],
)
def test_escape_jinja_keeps_statsig_text_literal(text: str, expected: str) -> None:
    assert escape_jinja(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Revenue per Session", "statsig_revenue_per_session"),
        ("checkout::funnel v2", "statsig_checkout_funnel_v2"),
        ("Café — Ümlaut", "statsig_cafe_umlaut"),
        ("7-day retention", "statsig_7_day_retention"),
        ("!!!", "statsig_metric"),
    ],
)
def test_slug_rule(name: str, expected: str) -> None:
    assert slug(name) == expected


def _parsed(raw: dict[str, Any]) -> Any:
    parsed = parse_metric(raw)
    assert parsed is not None
    return parsed


def test_colliding_slugs_all_get_a_hash_of_their_id_independent_of_order() -> None:
    a = _parsed(metric("Revenue: Total", "sum", metricSourceName="s"))
    b = _parsed({**metric("revenue total", "sum", metricSourceName="s"), "id": "revenue total::sum"})
    c = _parsed(metric("Other", "sum", metricSourceName="s"))
    names = exposure_names([a, b, c])
    assert names == exposure_names([c, b, a])
    assert names["Other::user_warehouse"] == "statsig_other"
    assert names["Revenue: Total::user_warehouse"].startswith("statsig_revenue_total_")
    assert names["revenue total::sum"].startswith("statsig_revenue_total_")
    assert len(set(names.values())) == 3
    assert all(len(name) == len("statsig_revenue_total_") + 8 for name in names.values() if "revenue" in name)


@pytest.mark.parametrize(
    "text",
    [
        'say "hi"\nand: {leave}',
        "emoji 😀 and ü",
        "line\u2028separator\u0085next\ufeff",
        "# not a comment",
        "- 1",
    ],
)
def test_exposures_yaml_round_trips_any_statsig_text(text: str) -> None:
    from statsig_sources.usage.exposures import exposures_yaml
    from statsig_sources.usage.join import ManagedSource, build_usage

    raw = {**metric(text, "count", metricSourceName="s"), "description": text}
    usage = build_usage([ManagedSource("s", "model_s", "model.p.model_s")], [raw])
    [exposure] = yaml.safe_load(exposures_yaml(usage))["exposures"]
    assert (exposure["label"], exposure["description"]) == (text, text)
    assert statsig_metric(exposure)["id"] == f"{text}::user_warehouse"
