"""Manifests written by dbt v2: each difference from dbt-core that its docs or the issue trackers of
manifest readers report (tests/python/dbt_v2_manifests.py) leaves what the CLI reads unchanged; a
manifest version newer than those tested is read with a one-line notice when it holds every field the
CLI uses, and refused (exit 2, naming the versions tested) only when it lacks one."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dbt_v2_manifests import ADDED_RELATIONS, DIFFERENCES, SOURCE
from manifest_fixtures import FIXTURES, read_fixture

from statsig_sources.artifacts.manifest import Manifest, load_manifest
from statsig_sources.cli import main
from statsig_sources.support.errors import ExitCode, ManifestError

URL = "https://schemas.getdbt.com/dbt/manifest/{version}.json"
BASE = "valid/postgres_production.json"


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "target" / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _newer(path: Path, version: str) -> str:
    return (
        f"Warning: {path} is a dbt manifest {version}, newer than the versions this tool is tested with "
        "(v10, v11, v12); read because it holds every field the tool uses."
    )


def _read_the_same(manifest: Manifest, expected: Manifest) -> None:
    assert manifest.sources == expected.sources
    assert (manifest.adapter_type, manifest.project_name) == (expected.adapter_type, expected.project_name)


@pytest.mark.parametrize("difference", sorted(DIFFERENCES))
def test_each_dbt_v2_difference_reads_as_dbt_core_wrote_it(tmp_path: Path, difference: str) -> None:
    expected = load_manifest(FIXTURES / BASE)
    data = read_fixture(BASE)
    DIFFERENCES[difference](data)
    manifest = load_manifest(_write(tmp_path, data))
    _read_the_same(manifest, expected)
    assert sorted(manifest.relations) == sorted([*expected.relations, *ADDED_RELATIONS.get(difference, [])])
    newer = difference == "version-v20"
    assert manifest.notices == ((_newer(tmp_path / "target" / "manifest.json", "v20"),) if newer else ())


def test_a_manifest_with_every_difference_reads_as_dbt_core_wrote_it() -> None:
    manifest = load_manifest(FIXTURES / "valid" / "dbt_v2.json")
    _read_the_same(manifest, load_manifest(FIXTURES / BASE))
    assert manifest.notices == ()


@pytest.mark.parametrize("version", ["v13", "v20"])
def test_a_newer_manifest_with_every_field_is_read_with_one_notice(tmp_path: Path, version: str) -> None:
    data = read_fixture("valid/dbt_v2.json")
    data["metadata"]["dbt_schema_version"] = URL.format(version=version)
    path = _write(tmp_path, data)
    manifest = load_manifest(path)
    assert (manifest.schema_version, manifest.notices) == (version, (_newer(path, version),))
    _read_the_same(manifest, load_manifest(FIXTURES / BASE))


def _drop(data: dict[str, Any], where: str, unique_id: str, key: str) -> None:
    data[where][unique_id].pop(key)


@pytest.mark.parametrize(
    ("where", "unique_id", "key"),
    [
        ("nodes", SOURCE, "schema"),
        ("nodes", SOURCE, "original_file_path"),
        ("nodes", "model.shop.fct_purchases", "resource_type"),
        ("sources", "source.shop.raw.orders", "name"),
    ],
)
def test_a_newer_manifest_lacking_a_field_the_cli_reads_is_refused(
    tmp_path: Path, where: str, unique_id: str, key: str
) -> None:
    data = read_fixture("valid/dbt_v2.json")
    data["metadata"]["dbt_schema_version"] = URL.format(version="v20")
    _drop(data, where, unique_id, key)
    path = _write(tmp_path, data)
    with pytest.raises(ManifestError) as raised:
        load_manifest(path)
    assert str(raised.value) == (
        f"{path} is a dbt manifest v20, newer than the versions this tool is tested with (v10, v11, v12), "
        f"and lacks fields it reads: {where}[{unique_id}].{key}; write it with a dbt that writes one of those"
    )
    assert raised.value.exit_code == ExitCode.INPUT


def test_the_same_gap_in_a_tested_version_reads_as_absent(tmp_path: Path) -> None:
    # A tested version stays as tolerant as ever: a missing field reads as absent.
    data = read_fixture("valid/dbt_v2.json")
    _drop(data, "sources", "source.shop.raw.orders", "name")
    assert load_manifest(_write(tmp_path, data)).notices == ()


def test_a_refusal_lists_five_missing_fields_and_counts_the_rest(tmp_path: Path) -> None:
    data = read_fixture("valid/dbt_v2.json")
    data["metadata"]["dbt_schema_version"] = URL.format(version="v20")
    for node in [*data["nodes"].values(), *data["sources"].values()]:
        node.pop("name")
    with pytest.raises(ManifestError, match=r"\.name and 1 more; write it with"):
        load_manifest(_write(tmp_path, data))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_prints_the_notice_on_stderr_only(tmp_path: Path, fmt: str) -> None:
    data = copy.deepcopy(read_fixture("valid/dbt_v2.json"))
    data["metadata"]["dbt_schema_version"] = URL.format(version="v20")
    path = _write(tmp_path, data)
    baseline = CliRunner().invoke(main, ["validate", "--manifest", str(FIXTURES / BASE), "--format", fmt])
    result = CliRunner().invoke(main, ["validate", "--manifest", str(path), "--format", fmt])
    assert result.exit_code == baseline.exit_code
    assert result.stderr.splitlines()[0] == _newer(path, "v20")
    assert result.stderr.count("newer than the versions") == 1
    if fmt == "json":
        findings = [(v["rule"], v["severity"], v["node_id"]) for v in json.loads(result.stdout)["violations"]]
        expected = [
            (v["rule"], v["severity"], v["node_id"]) for v in json.loads(baseline.stdout)["violations"]
        ]
        assert findings == expected


def test_validate_refuses_a_newer_manifest_lacking_a_field_with_exit_2(tmp_path: Path) -> None:
    data = read_fixture("valid/dbt_v2.json")
    data["metadata"]["dbt_schema_version"] = URL.format(version="v20")
    _drop(data, "nodes", SOURCE, "schema")
    path = _write(tmp_path, data)
    result = CliRunner().invoke(main, ["validate", "--manifest", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: {path} is a dbt manifest v20, newer than the versions")
