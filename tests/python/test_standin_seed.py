"""Seed files (YAML or JSON) and the state file: read strictly, every problem named, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from support import KEY, source

from statsig_sources.standin import FakeStatsig, SeedError
from statsig_sources.standin.state import SOURCE_DEFAULTS, STATE_FORMAT

SEED = {
    "metricSources": [source("orders")],
    "metrics": [
        {"name": "Revenue", "warehouseNative": {"aggregation": "sum", "metricSourceName": "orders"}},
        {"name": "Old Orders", "isHidden": True, "warehouseNative": {"aggregation": "count"}},
    ],
    "experiments": [
        {"id": "checkout_button", "primaryMetrics": [{"name": "Revenue", "type": "user_warehouse"}]}
    ],
    "faults": [{"kind": "status", "status": 503, "method": "GET", "path_contains": "/experiments"}],
}


def write(path: Path, content: object) -> Path:
    path.write_text(json.dumps(content) if path.suffix == ".json" else yaml.safe_dump(content))
    return path


@pytest.mark.parametrize("name", ["seed.yml", "seed.json"])
def test_a_seed_fills_in_statsigs_own_fields(tmp_path: Path, name: str) -> None:
    fake = FakeStatsig()
    assert fake.seed_file(write(tmp_path / name, SEED)) == {
        "metricSources": 1,
        "metrics": 2,
        "experiments": 1,
        "faults": 1,
    }
    assert fake.sources == {"orders": {**SOURCE_DEFAULTS, **source("orders")}}
    assert [(m["id"], m["isHidden"], m["lineage"]) for m in fake.state.metrics] == [
        ("Revenue::user_warehouse", False, {"events": [], "metrics": []}),
        ("Old Orders::user_warehouse", True, {"events": [], "metrics": []}),
    ]
    experiment = fake.state.experiments["checkout_button"]
    assert (experiment["name"], experiment["status"], experiment["allocation"]) == (
        "checkout_button",
        "active",
        100,
    )


def test_seeded_faults_are_injected(tmp_path: Path) -> None:
    with FakeStatsig() as fake:
        fake.seed_file(write(tmp_path / "seed.yml", SEED))
        get = lambda path: httpx.get(fake.url + path, headers={"STATSIG-API-KEY": KEY})  # noqa: E731
        assert [get("/experiments").status_code, get("/experiments").status_code] == [503, 200]


def test_every_problem_in_a_seed_is_named_and_nothing_is_seeded(tmp_path: Path) -> None:
    bad = {
        "metricSources": [source("orders"), {"name": "clicks", "sql": "select 1"}, source("orders")],
        "metrics": [{"name": "Revenue", "warehouseNative": {"aggregation": "sum", "valueColumn": 7}}],
        "experiments": [{"id": "checkout_button", "allocation": 120}],
        "faults": [{"kind": "status", "status": 200}],
    }
    path = write(tmp_path / "seed.yml", bad)
    fake = FakeStatsig()
    with pytest.raises(SeedError) as caught:
        fake.seed_file(path)
    assert str(caught.value).splitlines() == [
        f"{path}: metricSources[1] ('clicks'): timestampColumn: 'timestampColumn' is a required property",
        f"{path}: metricSources[1] ('clicks'): idTypeMapping: 'idTypeMapping' is a required property",
        f"{path}: metricSources[2] ('orders'): (entry): 'orders' appears twice",
        f"{path}: metrics[0] ('Revenue'): warehouseNative.valueColumn: 7 is not of type 'string'",
        f"{path}: experiments[0] ('checkout_button'): allocation: 120 is greater than the maximum of 100",
        f"{path}: faults[0] ('status'): status: 200 is less than the minimum of 400",
    ]
    assert (fake.sources, fake.state.metrics, fake.state.experiments, fake.state.faults) == ({}, [], {}, [])


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("seed.yml", "metrics: [\n", "{path} is not valid YAML: "),
        ("seed.json", "{", "{path} is not valid JSON: "),
        ("seed.yml", "- a list", "{path}: (body): ['a list'] is not of type 'object'"),
        (
            "seed.yml",
            "metric: []",
            "{path}: metric: Additional properties are not allowed ('metric' was unexpected)",
        ),
        ("seed.yml", "metrics: {name: x}", "{path}: metrics: {{'name': 'x'}} is not of type 'array'"),
    ],
    ids=["yaml-syntax", "json-syntax", "not-a-mapping", "unknown-section", "section-not-a-list"],
)
def test_a_seed_that_is_not_a_seed_is_an_input_error(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SeedError) as caught:
        FakeStatsig().seed_file(path)
    assert str(caught.value).startswith(message.format(path=path))
    assert caught.value.exit_code == 2


def test_a_missing_seed_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(
        SeedError, match=r"^Cannot read .*missing\.yml: \[Errno 2\] No such file or directory"
    ):
        FakeStatsig().seed_file(tmp_path / "missing.yml")


def test_the_state_file_survives_a_restart_and_is_a_seed(tmp_path: Path) -> None:
    state = tmp_path / "state" / "statsig.json"
    with FakeStatsig(state_path=state) as fake:
        fake.seed_file(write(tmp_path / "seed.yml", {**SEED, "faults": []}))
        created = httpx.post(
            fake.url + "/metrics/metric_source", json=source("clicks"), headers={"STATSIG-API-KEY": KEY}
        )
        assert created.status_code == 201
        before = (fake.sources, fake.state.metrics, fake.state.experiments)
    document = json.loads(state.read_text())
    assert document["format"] == STATE_FORMAT
    assert [s["name"] for s in document["metricSources"]] == ["orders", "clicks"]
    assert sorted(path.name for path in state.parent.iterdir()) == ["statsig.json"]  # no temporary left
    restarted = FakeStatsig(state_path=state)
    assert (restarted.sources, restarted.state.metrics, restarted.state.experiments) == before


def test_a_deleted_source_leaves_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "statsig.json"
    with FakeStatsig(state_path=state) as fake:
        fake.seed_sources([source("orders")])
        httpx.delete(fake.url + "/metrics/metric_source/orders", headers={"STATSIG-API-KEY": KEY})
    assert json.loads(state.read_text())["metricSources"] == []


def test_a_new_state_file_is_written_at_start(tmp_path: Path) -> None:
    state = tmp_path / "statsig.json"
    with FakeStatsig(state_path=state):
        assert json.loads(state.read_text()) == {
            "format": STATE_FORMAT,
            "metricSources": [],
            "metrics": [],
            "experiments": [],
        }
