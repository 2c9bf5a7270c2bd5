"""The partial decoder: msgspec reads only the manifest fields the CLI uses, and on every input reads
exactly what decoding the whole document with `json` reads, falling back to `json` where msgspec
refuses (and then giving `json`'s error messages)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from manifest_fixtures import INVALID, RUN_RESULTS, VALID, read_fixture, run_results_document

from statsig_sources.artifacts import fields as artifact_fields
from statsig_sources.artifacts.manifest import load_manifest
from statsig_sources.artifacts.run_results import load_run_results
from statsig_sources.support.errors import ManifestError

NODE = "model.shop.statsig_purchases"


class _Refusing:
    """A decoder that refuses everything, so the document goes the `json` way."""

    def decode(self, data: bytes) -> Any:
        raise msgspec.DecodeError("refused for the test")


def _through_json(path: Path, monkeypatch: pytest.MonkeyPatch, load: Any = load_manifest) -> str:
    """What `load` reads from `path` when msgspec refuses every document; its error, if it raises."""
    with monkeypatch.context() as patched:
        shapes = (
            artifact_fields.ManifestFields,
            artifact_fields.CatalogFields,
            artifact_fields.RunResultsFields,
        )
        for shape in shapes:
            patched.setitem(artifact_fields._DECODERS, shape, _Refusing())
        return _outcome(path, load)


def _outcome(path: Path, load: Any) -> str:
    try:
        return repr(load(path))
    except ManifestError as error:
        return f"ManifestError: {error}"


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


def _result_edit(key: str, value: Any) -> Any:
    return lambda document: document["results"][0].__setitem__(key, value)


# (what, edit of a build's run results, whether msgspec decodes it or `json` must)
ODD_RUN_RESULTS = [
    ("as-dbt-writes-them", lambda document: None, "msgspec"),
    ("status-null", _result_edit("status", None), "msgspec"),
    ("no-unique-id", lambda document: document["results"][0].pop("unique_id"), "msgspec"),
    ("message-a-surrogate", _result_edit("message", "x\udc80"), "json"),
    ("timing-nan", _result_edit("timing", [{"seconds": float("nan")}]), "json"),
    ("result-not-an-object", lambda document: document["results"].append("ok"), "json"),
    ("results-a-map", lambda document: document.__setitem__("results", {"a": {}}), "json"),
    ("args-a-list", lambda document: document.__setitem__("args", ["build"]), "msgspec"),
    ("no-metadata", lambda document: document.pop("metadata"), "msgspec"),
]


@pytest.mark.parametrize(
    ("edit", "decoder"), [(e, d) for _, e, d in ODD_RUN_RESULTS], ids=[w for w, _, _ in ODD_RUN_RESULTS]
)
def test_run_results_are_read_as_json_reads_them(
    edit: Any, decoder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = run_results_document(read_fixture("valid/postgres_production.json"), command="dbt build -s x")
    document["results"][0]["adapter_response"] = {"_message": "CREATE VIEW", "rows_affected": -1}
    edit(document)
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    fast = _outcome(path, load_run_results)
    assert fast == _through_json(path, monkeypatch, load_run_results)
    assert ("Error" not in fast) == (document.get("metadata") is not None)
    try:
        msgspec.json.decode(path.read_bytes(), type=artifact_fields.RunResultsFields)
        assert decoder == "msgspec"
    except msgspec.DecodeError:
        assert decoder == "json"


@pytest.mark.parametrize("path", sorted(RUN_RESULTS.glob("*.json")), ids=lambda path: path.stem)
def test_recorded_run_results_are_read_as_json_reads_them(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _outcome(path, load_run_results) == _through_json(path, monkeypatch, load_run_results)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "{path} is not dbt's run_results.json: metadata.dbt_schema_version is missing"),
        ('{"results": [' * 50_000, "cannot read run results {path}: it nests arrays or objects deeper"),
    ],
    ids=["not-an-object", "deep"],
)
def test_run_results_that_are_no_build_s_say_so(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "run_results.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        load_run_results(path)
    assert str(raised.value).startswith(message.format(path=path))
