"""The partial decoder: msgspec reads only the manifest fields the CLI uses, and on every input reads
exactly what decoding the whole document with `json` reads, falling back to `json` where msgspec
refuses (and then giving `json`'s error messages)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from manifest_fixtures import INVALID, VALID, read_fixture

from statsig_sources.core import artifact_fields
from statsig_sources.core.manifest import load_manifest

NODE = "model.shop.statsig_purchases"


class _Refusing:
    """A decoder that refuses everything, so the document goes the `json` way."""

    def decode(self, data: bytes) -> Any:
        raise msgspec.DecodeError("refused for the test")


def _through_json(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patched:
        for shape in (artifact_fields.ManifestFields, artifact_fields.CatalogFields):
            patched.setitem(artifact_fields._DECODERS, shape, _Refusing())
        return repr(load_manifest(path))


def _edit(node: dict[str, Any], key: str, value: Any) -> None:
    node[key] = value


def _edit_config(node: dict[str, Any], key: str, value: Any) -> None:
    node["config"][key] = value


def _drop(node: dict[str, Any], key: str) -> None:
    del node[key]


# (what, edit of the fixture's metric source, whether msgspec decodes it or `json` must)
ODD_NODES = [
    ("null-name", lambda n: _edit(n, "name", None), "msgspec"),
    ("no-name", lambda n: _drop(n, "name"), "msgspec"),
    ("no-config", lambda n: _drop(n, "config"), "msgspec"),
    ("config-null", lambda n: _edit(n, "config", None), "msgspec"),
    ("config-a-list", lambda n: _edit(n, "config", ["view"]), "json"),
    ("columns-a-list", lambda n: _edit(n, "columns", ["user_id"]), "json"),
    ("depends-on-a-string", lambda n: _edit(n, "depends_on", "model.shop.x"), "json"),
    ("grants-a-string", lambda n: _edit_config(n, "grants", "select"), "msgspec"),
    ("enabled-a-string", lambda n: _edit_config(n, "enabled", "false"), "msgspec"),
    ("meta-a-list", lambda n: _edit_config(n, "meta", ["statsig"]), "msgspec"),
    ("lone-surrogate", lambda n: _edit(n, "description", "x\ud800"), "json"),
    ("nan", lambda n: _edit_config(n, "meta", {**n["config"]["meta"], "weight": float("nan")}), "json"),
    ("huge-number", lambda n: _edit(n, "description", 10**400), "msgspec"),
    ("unknown-fields", lambda n: _edit(n, "something_new", {"deep": [1, {"x": None}]}), "msgspec"),
]


def _decodes_with_msgspec(path: Path) -> bool:
    try:
        msgspec.json.decode(path.read_bytes(), type=artifact_fields.ManifestFields)
    except (msgspec.DecodeError, RecursionError):
        return False
    return True


@pytest.mark.parametrize("fixture", [*VALID, *INVALID], ids=lambda path: path.stem)
def test_every_fixture_is_decoded_by_msgspec_and_read_as_json_reads_it(
    fixture: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _decodes_with_msgspec(fixture)
    assert repr(load_manifest(fixture)) == _through_json(fixture, monkeypatch)


@pytest.mark.parametrize(
    ("edit", "decoder"), [(e, d) for _, e, d in ODD_NODES], ids=[w for w, _, _ in ODD_NODES]
)
def test_an_odd_node_is_read_as_json_reads_it(
    edit: Any, decoder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = read_fixture("valid/postgres_production.json")
    edit(data["nodes"][NODE])
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _decodes_with_msgspec(path) == (decoder == "msgspec")
    assert repr(load_manifest(path)) == _through_json(path, monkeypatch)


@pytest.mark.parametrize(
    "nodes",
    [{NODE: "not a node"}, {NODE: None}, {NODE: [1, 2]}],
    ids=["a-string", "null", "a-list"],
)
def test_a_node_that_is_not_an_object_is_passed_over(
    nodes: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = read_fixture("valid/postgres_production.json")
    data["nodes"].update(nodes)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    manifest = load_manifest(path)
    assert manifest.sources == () and NODE not in manifest.relations
    assert repr(manifest) == _through_json(path, monkeypatch)


def test_a_catalog_is_read_as_json_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(read_fixture("valid/postgres_production.json")), encoding="utf-8")
    catalog = {
        "metadata": {"generated_at": "2026-05-20T10:00:00Z"},
        "nodes": {
            NODE: {"columns": {"USER_ID": {"name": "user_id", "type": "text"}, "b": {"type": "int"}, "c": 3}},
            "model.shop.odd": {"columns": ["user_id"]},
            "model.shop.bare": {"columns": {"x": {"name": None}}},
        },
        "sources": {"source.shop.raw.orders": "not an entry"},
    }
    (tmp_path / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    manifest = load_manifest(path)
    assert manifest.catalog == {NODE: {"user_id": "text", "b": "int"}, "model.shop.bare": {"None": ""}}
    assert manifest.catalog_generated_at == "2026-05-20T10:00:00Z"
    assert repr(manifest) == _through_json(path, monkeypatch)
