"""How dbt v2 (the Fusion engine) writes manifest.json differently from dbt-core, as its docs and
the issue trackers of tools that read manifests report it: each difference as an edit of a dbt-core
manifest, for tests/python/test_manifest_v2.py. tests/fixtures/manifests/valid/dbt_v2.json has them
all at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SOURCE = "model.shop.statsig_purchases"
UPSTREAM = "model.shop.fct_purchases"
Edit = Callable[[dict[str, Any]], None]


def _null_meta(manifest: dict[str, Any]) -> None:
    # dbt v2 writes `meta: null` (top level and in config) where dbt-core writes {}:
    # lightdash/lightdash#21732, Snowflake-Labs/dbt_constraints#111.
    node = manifest["nodes"][UPSTREAM]
    node["meta"] = None
    node["config"]["meta"] = None


def _omitted_optional_keys(manifest: dict[str, Any]) -> None:
    # dbt v2 leaves out optional keys that dbt-core writes as null (`group`, `patch_path`, a source's
    # `source_meta`): PicnicSupermarket/dbt-score#231.
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        for key in ("patch_path", "group", "source_meta", "relation_name"):
            if node.get(key) is None:
                node.pop(key, None)


def _operation_without_config(manifest: dict[str, Any]) -> None:
    # Hooks (operation nodes) without a `config` at all.
    manifest["nodes"]["operation.shop.shop-on-run-end-0"] = {
        "unique_id": "operation.shop.shop-on-run-end-0",
        "name": "shop-on-run-end-0",
        "resource_type": "operation",
        "original_file_path": "./dbt_project.yml",
        "depends_on": {"macros": ["macro.statsig_sources.grant_statsig_schema_usage"]},
    }


def _seed_without_materialized(manifest: dict[str, Any]) -> None:
    # A seed's config without `materialized`: dagster-io/dagster#34148.
    manifest["nodes"]["seed.shop.raw_countries"] = {
        "unique_id": "seed.shop.raw_countries",
        "name": "raw_countries",
        "resource_type": "seed",
        "original_file_path": "seeds/raw_countries.csv",
        "database": "analytics",
        "schema": "raw",
        "alias": "raw_countries",
        "config": {"enabled": True, "grants": {}, "static_analysis": "baseline"},
    }


def _extra_keys(manifest: dict[str, Any]) -> None:
    # Keys dbt-core never writes: `static_analysis` in every config, and more at each level.
    for node in manifest["nodes"].values():
        node.setdefault("config", {})["static_analysis"] = "baseline"
        node["__fusion_only__"] = {"columns_lineage": []}
    manifest["metadata"]["dbt_engine"] = "fusion"
    manifest["functions"] = {}


def _v20(manifest: dict[str, Any]) -> None:
    # dbt v2's previews wrote `v20` as the schema version (dbt-labs/docs.getdbt.com#8188), and it is
    # newer than any version this tool is tested with.
    manifest["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/v20.json"


DIFFERENCES: dict[str, Edit] = {
    "meta-null": _null_meta,
    "optional-keys-omitted": _omitted_optional_keys,
    "operation-without-config": _operation_without_config,
    "seed-without-materialized": _seed_without_materialized,
    "extra-keys": _extra_keys,
    "version-v20": _v20,
}
ADDED_RELATIONS = {"seed-without-materialized": ["seed.shop.raw_countries"]}
