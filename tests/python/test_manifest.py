"""The manifest reader: narrow, tolerant, and clear about what it cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from manifest_fixtures import FIXTURES, read_fixture

from statsig_sources.artifacts.manifest import load_manifest
from statsig_sources.artifacts.paths import resolve_manifest_path
from statsig_sources.artifacts.relations import TableRef
from statsig_sources.support.errors import ExitCode, ManifestError


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    return path


def test_reader_keeps_only_metric_sources_and_relations() -> None:
    manifest = load_manifest(FIXTURES / "valid" / "postgres_production.json")
    assert (manifest.schema_version, manifest.adapter_type, manifest.project_name) == (
        "v12",
        "postgres",
        "shop",
    )
    assert [source.unique_id for source in manifest.sources] == ["model.shop.statsig_purchases"]
    assert sorted(manifest.relations) == [
        "model.shop.fct_purchases",
        "model.shop.statsig_purchases",
        "source.shop.raw.orders",
    ]
    source = manifest.sources[0]
    assert source.relation == TableRef("analytics", "statsig_staging", "statsig_purchases")
    assert source.files == ("models/statsig/statsig_purchases.sql", "models/statsig/_statsig__models.yml")
    assert source.grants == {"select": ("statsig_reader",)}
    assert source.contract_enforced


def test_reader_accepts_top_level_meta_from_older_manifests() -> None:
    manifest = load_manifest(FIXTURES / "valid" / "v10_top_level_meta.json")
    assert [source.name for source in manifest.sources] == ["statsig_orders"]


def test_reader_skips_disabled_nodes(tmp_path: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"]["model.shop.statsig_purchases"]["config"]["enabled"] = False
    manifest = load_manifest(_write(tmp_path, data))
    assert manifest.sources == ()
    assert "model.shop.statsig_purchases" not in manifest.relations


def test_reader_keeps_every_enabled_nodes_dependencies(tmp_path: Path) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"]["model.shop.disabled"] = {
        "unique_id": "model.shop.disabled",
        "config": {"enabled": False},
        "depends_on": {"nodes": ["model.shop.fct_purchases"]},
    }
    data["nodes"]["seed.shop.no_parents"] = {"unique_id": "seed.shop.no_parents", "depends_on": {}}
    manifest = load_manifest(_write(tmp_path, data))
    assert manifest.node_dependencies == {
        "model.shop.fct_purchases": ("source.shop.raw.orders",),
        "model.shop.statsig_purchases": ("model.shop.fct_purchases",),
    }


def test_reader_reads_catalog_beside_the_manifest(tmp_path: Path) -> None:
    path = _write(tmp_path, read_fixture("valid/postgres_production.json"))
    catalog = {
        "metadata": {},
        "nodes": {
            "model.shop.statsig_purchases": {"columns": {"user_id": {"name": "user_id", "type": "text"}}}
        },
        "sources": {},
    }
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    assert load_manifest(path).catalog == {"model.shop.statsig_purchases": {"user_id": "text"}}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"metadata": {"dbt_schema_ver', "cannot read manifest {path}: "),
        ("[1, 2]", "{path} is not a dbt manifest: its top level is not an object"),
        ('{"metadata": {}}', "{path} is not a dbt manifest: metadata.dbt_schema_version is missing"),
        (
            '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v7.json"}}',
            "{path} is a dbt manifest v7, which this tool does not read (supported: v10, v11, v12; "
            "regenerate it with dbt 1.6 or later)",
        ),
        (
            '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}}',
            "{path} is not a dbt manifest: it has no `nodes` or `sources` map",
        ),
        ("\xff\xfe", "cannot read manifest {path}: "),
    ],
    ids=["truncated", "not-an-object", "no-version", "old-version", "no-nodes", "binary"],
)
def test_unreadable_manifest_is_an_input_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(ManifestError) as raised:
        load_manifest(path)
    assert str(raised.value).startswith(expected.format(path=path))
    assert raised.value.exit_code == ExitCode.INPUT


def test_missing_manifest_says_to_run_dbt_parse(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"run `dbt parse` \(or `dbt compile`\) first"):
        resolve_manifest_path(tmp_path, "target", None)


def test_explicit_manifest_wins_over_project_dir(tmp_path: Path) -> None:
    path = _write(tmp_path, {})
    assert resolve_manifest_path(Path("/nowhere"), "target", path) == path
