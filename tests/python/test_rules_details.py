"""Rule behaviour that needs a manifest changed on the fly: catalog.json, run results, uncompiled
manifests, SQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from manifest_fixtures import read_fixture, run_results_document
from project_support import load_project

from statsig_sources.declaration.settings import Settings
from statsig_sources.rules import validate

NODE = "model.shop.statsig_purchases"
GOOD_TYPES = {
    "user_id": "text",
    "stable_id": "text",
    "timestamp": "timestamp without time zone",
    "value": "double precision",
    "item_count": "double precision",
    "country": "text",
}


def _findings(
    tmp_path: Path,
    data: dict[str, Any],
    catalog: dict[str, str] | None = None,
    run_results: dict[str, Any] | None = None,
    catalog_generated_at: str = "2026-05-20T10:00:09Z",
) -> list[tuple[str, str, str]]:
    """Every finding on `data`, with a catalog (generated after the build by default) and the run
    results of the build that wrote the manifest (every node succeeded) unless given others."""
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    results = run_results if run_results is not None else run_results_document(data)
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    if catalog is not None:
        columns = {
            name: {"name": name, "type": kind, "index": i} for i, (name, kind) in enumerate(catalog.items())
        }
        document = {
            "metadata": {"generated_at": catalog_generated_at},
            "nodes": {NODE: {"columns": columns}} if columns else {},
            "sources": {},
        }
        (tmp_path / "catalog.json").write_text(json.dumps(document))
    violations = validate(load_project(tmp_path / "manifest.json", Settings()))
    return [(v.severity, v.rule, v.message) for v in violations]


def test_declared_columns_passes_when_catalog_matches(tmp_path: Path) -> None:
    assert _findings(tmp_path, read_fixture("valid/postgres_production.json"), GOOD_TYPES) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"country": None}, "catalog.json shows no column `country` in the relation"),
        ({"platform": "text"}, "catalog.json shows column `platform`, which the declaration does not emit"),
        ({"value": "real"}, "column `value` is real, not a 64-bit double"),
        ({"timestamp": "text"}, "column `timestamp` is text, not a timestamp"),
    ],
    ids=["missing", "extra", "float32-value", "text-timestamp"],
)
def test_declared_columns_checks_the_warehouse_columns(
    tmp_path: Path, change: dict[str, str | None], message: str
) -> None:
    catalog = {name: kind for name, kind in {**GOOD_TYPES, **change}.items() if kind is not None}
    assert _findings(tmp_path, read_fixture("valid/postgres_production.json"), catalog) == [
        ("error", "declared_columns", message)
    ]


def test_declared_columns_compares_catalog_names_exactly_on_snowflake(tmp_path: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["metadata"]["adapter_type"] = "snowflake"
    data["nodes"][NODE]["compiled_code"] = None
    upper = {name.upper(): kind.replace("double precision", "FLOAT") for name, kind in GOOD_TYPES.items()}
    assert [f[1] for f in _findings(tmp_path, data, upper) if f[0] == "error"] == []
    lower = {name: "FLOAT" if name in ("value", "item_count") else "VARCHAR" for name in GOOD_TYPES}
    lower["timestamp"] = "TIMESTAMP_NTZ"
    errors = [f[2] for f in _findings(tmp_path, data, lower) if f[0] == "error"]
    assert "catalog.json shows no column `USER_ID` in the relation" in errors


def test_model_without_documented_columns_or_catalog_is_a_warning(tmp_path: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"][NODE]["columns"] = {}
    assert _findings(tmp_path, data) == [
        (
            "warning",
            "declared_columns",
            "documents no columns and catalog.json has none for it, so its columns are unchecked",
        )
    ]


def test_lineage_warns_once_when_the_manifest_has_no_compiled_sql(tmp_path: Path) -> None:
    data = read_fixture("invalid/duplicate_source_names__two_models.json")
    for node in data["nodes"].values():
        node.pop("compiled_code", None)
    findings = [f for f in _findings(tmp_path, data) if f[1] == "lineage"]
    assert findings == [
        (
            "warning",
            "lineage",
            "2 metric source(s) have no compiled SQL in the manifest: `dbt build`, which wrote it, did not "
            "compile them; run `dbt compile` so validate can prove what they read",
        )
    ]


def test_lineage_names_no_command_when_no_run_results_say_which_wrote_the_manifest(tmp_path: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"][NODE].pop("compiled_code")
    other = run_results_document(data, invocation_id="an-earlier-build")
    findings = [f for f in _findings(tmp_path, data, run_results=other) if f[1] == "lineage"]
    assert findings == [
        (
            "warning",
            "lineage",
            "1 metric source(s) have no compiled SQL in the manifest: the dbt command that wrote it (`dbt "
            "parse`, `dbt ls`, or a run that did not select them) did not compile them; run `dbt compile` "
            "so validate can prove what they read",
        )
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select * from statsig_staging.statsig_purchases where ds >= {statsig_start_date}", []),
        (
            "select * from statsig_purchases",
            [
                "its sql override reads `statsig_purchases` without a schema; qualify it as "
                "`analytics.statsig_staging.statsig_purchases`"
            ],
        ),
        (
            "with p as (select * from statsig_staging.statsig_purchases) "
            "select * from p join raw.users using (id)",
            [
                "its sql override reads `raw.users`; it may read only the governed relation "
                "`analytics.statsig_staging.statsig_purchases`"
            ],
        ),
    ],
    ids=["governed", "unqualified", "join-outside"],
)
def test_user_sql_override_may_read_only_the_governed_relation(
    tmp_path: Path, sql: str, expected: list[str]
) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"][NODE]["config"]["meta"]["statsig"]["sql"] = sql
    assert [f[2] for f in _findings(tmp_path, data)] == expected


def test_unsupported_adapter_is_an_input_error(tmp_path: Path) -> None:
    from statsig_sources.support.errors import SqlParseError

    data = read_fixture("valid/postgres_production.json")
    data["metadata"]["adapter_type"] = "oracle"
    with pytest.raises(SqlParseError, match="adapter 'oracle' is not supported"):
        _findings(tmp_path, data)
