"""Payloads and rendered files: Statsig's field names, deterministic bytes, valid against the OpenAPI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from manifest_fixtures import FIXTURES, VALID
from project_support import load_project

from statsig_sources.artifacts.paths import ArtifactPaths
from statsig_sources.artifacts.read import read_artifacts
from statsig_sources.declaration.ownership import default_marker
from statsig_sources.declaration.settings import Settings
from statsig_sources.project import build_project
from statsig_sources.registration.files import DUMPER, HEADER, PURE_DUMPER, render_files, render_text
from statsig_sources.registration.sources import build_payloads
from statsig_sources.standin import schemas

SETTINGS = Settings(custom_unit_types=("companyID",))


def _payloads(path: Path) -> list[dict[str, Any]]:
    return [payload.body for payload in build_payloads(load_project(path, SETTINGS))]


def test_query_source_selects_exactly_the_canonical_columns() -> None:
    assert _payloads(FIXTURES / "valid" / "postgres_production.json") == [
        {
            "name": "statsig_purchases",
            "description": "Purchases, net of refunds.",
            "tags": ["managed-by:statsig-sources:shop", "revenue"],
            "owner": {"ownerEmail": "growth-analytics@example.com"},
            "sourceType": "query",
            "sql": 'select\n  "user_id",\n  "stable_id",\n  "timestamp",\n  "value",\n  "item_count",\n'
            '  "country"\nfrom "analytics"."statsig_staging"."statsig_purchases"\n',
            "timestampColumn": "timestamp",
            "timestampAsDay": False,
            "idTypeMapping": [
                {"statsigUnitID": "userID", "column": "user_id"},
                {"statsigUnitID": "stableID", "column": "stable_id"},
            ],
            "isReadOnly": True,
        }
    ]


def test_table_source_names_the_relation_and_sends_empty_sql() -> None:
    [body] = _payloads(FIXTURES / "valid" / "table_source.json")
    assert (body["name"], body["sourceType"], body["sql"], body["tableName"]) == (
        "Purchases table",
        "table",
        "",
        "analytics.statsig_staging.statsig_purchases",
    )


def test_user_sql_override_and_custom_fields_are_passed_through() -> None:
    [body] = _payloads(FIXTURES / "valid" / "custom_unit_type_with_user_sql.json")
    assert body["sql"].endswith("where timestamp >= {statsig_start_date}\n")
    assert body["customFieldMapping"] == [{"key": "value_cents", "formula": "value * 100"}]
    assert body["timestampAsDay"] is True
    assert body["idTypeMapping"] == [{"statsigUnitID": "companyID", "column": "company_id"}]


def test_snowflake_names_are_upper_case() -> None:
    path = FIXTURES / "valid" / "table_source.json"
    artifacts = read_artifacts(ArtifactPaths.beside(path))
    snowflake = replace(artifacts, manifest=replace(artifacts.manifest, adapter_type="snowflake"))
    project = build_project(snowflake, SETTINGS)
    [body] = [payload.body for payload in build_payloads(project)]
    assert body["timestampColumn"] == "TIMESTAMP"
    assert body["idTypeMapping"][0] == {"statsigUnitID": "userID", "column": "USER_ID"}
    assert body["tableName"] == "ANALYTICS.STATSIG_STAGING.STATSIG_PURCHASES"


@pytest.mark.parametrize(
    ("project_name", "marker"),
    [
        ("shop", "managed-by:statsig-sources:shop"),
        ("", "managed-by:statsig-sources"),
        (None, "managed-by:statsig-sources"),
    ],
)
def test_default_marker_names_the_dbt_project(project_name: str | None, marker: str) -> None:
    assert default_marker(project_name) == marker


def test_marker_setting_replaces_the_default_in_every_payload() -> None:
    path = FIXTURES / "valid" / "postgres_production.json"
    project = load_project(path, replace(SETTINGS, marker="team-x"))
    assert project.marker == "team-x"
    assert [payload.body["tags"] for payload in build_payloads(project)] == [["revenue", "team-x"]]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_rendered_files_are_valid_creation_payloads(path: Path) -> None:
    # The fake Statsig's validator: MetricSourceCreationContractDto with $refs resolved, refusing
    # unknown fields.
    validator = schemas.validator("MetricSourceCreationContractDto")
    files = render_files(build_payloads(load_project(path, SETTINGS)))
    assert files, "nothing was rendered, so nothing was validated"
    for text in files.values():
        validator.validate(yaml.safe_load(text))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_rendered_files_are_byte_stable_and_round_trip(path: Path) -> None:
    payloads = build_payloads(load_project(path, SETTINGS))
    first, second = render_files(payloads), render_files(build_payloads(load_project(path, SETTINGS)))
    assert payloads and first == second
    for payload in payloads:
        text = first[payload.name + ".yml"]
        assert text.startswith(HEADER) and text.endswith("\n")
        assert yaml.safe_load(text) == payload.body


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_libyaml_and_pure_python_emitters_write_the_same_bytes(path: Path) -> None:
    payloads = build_payloads(load_project(path, SETTINGS))
    assert payloads, "nothing was rendered, so nothing was compared"
    for payload in payloads:
        assert render_text(payload, DUMPER) == render_text(payload, PURE_DUMPER)
