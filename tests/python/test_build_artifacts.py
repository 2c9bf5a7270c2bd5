"""What dbt really built: run_results.json (trusted only from the `dbt run`/`dbt build` that wrote the
manifest), a catalog.json older than that build, and the materialization a source resolves to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from manifest_fixtures import read_fixture, run_results_document
from materialization_table import MATERIALIZATION_TABLE
from project_support import load_project

from statsig_sources.artifacts.run_results import load_run_results
from statsig_sources.cli import main
from statsig_sources.declaration.settings import Settings
from statsig_sources.declaration.source import materialization_problem
from statsig_sources.rules import validate

NODE = "model.shop.statsig_purchases"
MANIFEST_AT = "2026-05-20T10:00:00.000000Z"
BUILT_AT = "2026-05-20T10:00:05.000000Z"


def _manifest(**metadata: str) -> dict[str, Any]:
    data = read_fixture("valid/postgres_production.json")
    data["metadata"].update({"generated_at": MANIFEST_AT, "invocation_id": "build-1", **metadata})
    return data


def _write(tmp_path: Path, data: dict[str, Any], results: dict[str, Any] | None) -> Path:
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    if results is not None:
        (tmp_path / "run_results.json").write_text(json.dumps(results))
    return tmp_path / "manifest.json"


def _findings(path: Path, rule: str) -> list[tuple[str, str, str]]:
    violations = validate(load_project(path, Settings()))
    return [(v.severity, v.node_id, v.message) for v in violations if v.rule == rule]


@pytest.mark.parametrize(
    ("which", "invocation_id", "reason"),
    [
        ("build", "build-1", None),
        ("run", "build-1", None),
        ("compile", "build-1", "{path} was written by `dbt compile`, which builds nothing"),
        (
            "generate",
            "build-1",
            "{path} was written by `dbt docs generate`, which builds nothing (after a build, "
            "`dbt docs generate --no-compile` keeps the build's)",
        ),
        ("build", "build-0", "{path} was written by another dbt invocation than the manifest"),
        ("build", "", "{path} was written by another dbt invocation than the manifest"),
    ],
    ids=["build", "run", "compile", "docs-generate", "older-build", "no-invocation-id"],
)
def test_run_results_are_trusted_only_from_the_run_or_build_that_wrote_the_manifest(
    tmp_path: Path, which: str, invocation_id: str, reason: str | None
) -> None:
    results = run_results_document(_manifest(), which=which, invocation_id=invocation_id or "x")
    if not invocation_id:
        results["metadata"].pop("invocation_id")
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps(results))
    expected = reason.format(path=path) if reason else None
    assert load_run_results(path).unchecked_reason("build-1") == expected


def test_run_results_reader_keeps_what_a_later_command_needs(tmp_path: Path) -> None:
    results = run_results_document(
        _manifest(), {NODE: "error"}, command="dbt build --select statsig_purchases --full-refresh"
    )
    results["args"].update({"select": ["statsig_purchases"], "full_refresh": True, "target": "prod"})
    results["results"][0]["message"] = "Compilation Error"
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps(results))
    read = load_run_results(path)
    assert (read.which, read.invocation_id, read.generated_at, read.target) == (
        "build",
        "build-1",
        BUILT_AT,
        "prod",
    )
    assert (read.select, read.full_refresh, read.status(NODE), read.nodes[NODE].message) == (
        ("statsig_purchases",),
        True,
        "error",
        "Compilation Error",
    )
    assert read.status("model.shop.other") is None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("error", "its build failed in `dbt build`: Database Error near line 3; fix it and build it again"),
        ("skipped", "its build was skipped in `dbt build`; fix it and build it again"),
    ],
)
def test_a_source_whose_build_errored_or_was_skipped_is_an_error(
    tmp_path: Path, status: str, message: str
) -> None:
    results = run_results_document(_manifest(), {NODE: status})
    if status == "error":
        results["results"][0]["message"] = "Database Error\n  near line 3"
    path = _write(tmp_path, _manifest(), results)
    assert _findings(path, "build_status") == [("error", NODE, message)]


def test_a_source_the_run_did_not_build_is_named_once_as_unchecked(tmp_path: Path) -> None:
    results = run_results_document(_manifest(), {"model.shop.fct_purchases": "success"})
    results["args"]["invocation_command"] = "dbt build --select fct_purchases"
    path = _write(tmp_path, _manifest(), results)
    assert _findings(path, "build_status") == [
        (
            "warning",
            "",
            "build status unchecked for 1 metric source(s) that `dbt build --select fct_purchases` did "
            "not build: statsig_purchases",
        )
    ]


@pytest.mark.parametrize(
    ("results", "reason"),
    [
        (None, "there is no run_results.json at {dir}/run_results.json"),
        (
            run_results_document(_manifest(), {NODE: "success"}, which="compile"),
            "{dir}/run_results.json was written by `dbt compile`, which builds nothing",
        ),
    ],
    ids=["missing", "compile-rewrote-it"],
)
def test_unchecked_build_status_is_said_once(
    tmp_path: Path, results: dict[str, Any] | None, reason: str
) -> None:
    path = _write(tmp_path, _manifest(), results)
    assert _findings(path, "build_status") == [
        (
            "warning",
            "",
            f"build status unchecked: {reason.format(dir=tmp_path)}; statsig-sources reads the run results "
            "of the `dbt run` or `dbt build` that wrote the manifest (--run-results PATH points elsewhere)",
        )
    ]


def _catalog(tmp_path: Path, generated_at: str, columns: dict[str, str] | None) -> None:
    nodes = {}
    if columns is not None:
        nodes[NODE] = {"columns": {name: {"name": name, "type": kind} for name, kind in columns.items()}}
    document = {"metadata": {"generated_at": generated_at}, "nodes": nodes, "sources": {}}
    (tmp_path / "catalog.json").write_text(json.dumps(document))


# The columns of a relation built before the declaration dropped `item_count` and added `discount`.
OLD_COLUMNS = {
    "user_id": "text",
    "stable_id": "text",
    "timestamp": "timestamp without time zone",
    "value": "double precision",
    "item_count": "double precision",
    "amount": "double precision",
}


@pytest.mark.parametrize(
    ("catalog_at", "newer"),
    [
        ("2026-05-20T09:59:00Z", f"manifest (generated {MANIFEST_AT})"),
        ("2026-05-20T10:00:02Z", f"run results (generated {BUILT_AT})"),
    ],
    ids=["older-than-manifest", "older-than-the-build"],
)
def test_a_stale_catalog_is_named_and_never_blocks_with_its_columns(
    tmp_path: Path, catalog_at: str, newer: str
) -> None:
    path = _write(tmp_path, _manifest(), run_results_document(_manifest()))
    _catalog(tmp_path, catalog_at, OLD_COLUMNS)
    assert _findings(path, "declared_columns") == [
        (
            "warning",
            "",
            f"catalog.json (generated {catalog_at}) is older than the {newer}, so it is stale and its "
            "columns were not compared; run `dbt docs generate --no-compile` after `dbt build` to refresh it",
        )
    ]


def test_a_fresh_catalog_still_blocks_with_its_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, _manifest(), run_results_document(_manifest()))
    _catalog(tmp_path, "2026-05-20T10:00:09Z", OLD_COLUMNS)
    assert [(severity, message) for severity, _, message in _findings(path, "declared_columns")] == [
        ("error", "catalog.json shows column `amount`, which the declaration does not emit"),
        ("error", "catalog.json shows no column `country` in the relation"),
    ]


def test_a_catalog_without_the_model_is_stale_for_it(tmp_path: Path) -> None:
    path = _write(tmp_path, _manifest(), run_results_document(_manifest()))
    _catalog(tmp_path, "2026-05-20T10:00:09Z", None)
    assert _findings(path, "declared_columns") == [
        (
            "warning",
            NODE,
            "catalog.json has no entry for it, so the catalog is stale for this model and its warehouse "
            "columns are unchecked; run `dbt docs generate --no-compile` after building it",
        )
    ]


def test_run_results_option_reads_results_from_elsewhere_and_a_missing_one_is_an_input_error(
    tmp_path: Path,
) -> None:
    manifest = _write(tmp_path, _manifest(), None)
    elsewhere = tmp_path / "build" / "run_results.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text(json.dumps(run_results_document(_manifest(), {NODE: "error"})))
    result = CliRunner().invoke(
        main, ["validate", "--manifest", str(manifest), "--run-results", str(elsewhere)]
    )
    assert result.exit_code == 1
    assert f"error: [build_status] {NODE}" in result.stdout
    missing = CliRunner().invoke(
        main, ["validate", "--manifest", str(manifest), "--run-results", str(tmp_path / "nope.json")]
    )
    assert (missing.exit_code, missing.stdout, missing.stderr) == (
        2,
        "",
        f"Error: no run results at {tmp_path / 'nope.json'} (--run-results)\n",
    )


def test_unreadable_run_results_are_an_input_error(tmp_path: Path) -> None:
    manifest = _write(tmp_path, _manifest(), None)
    (tmp_path / "run_results.json").write_text('{"results": [')
    result = CliRunner().invoke(main, ["validate", "--manifest", str(manifest)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: cannot read run results {tmp_path / 'run_results.json'}: ")


@pytest.mark.parametrize(("declared", "resolved", "problem"), MATERIALIZATION_TABLE)
def test_materialization_is_a_view_unless_the_declaration_opts_in(
    tmp_path: Path, declared: str | None, resolved: str, problem: str | None
) -> None:
    assert materialization_problem(declared, resolved) == problem
    data = _manifest()
    data["nodes"][NODE]["config"]["materialized"] = resolved
    if declared is not None:
        data["nodes"][NODE]["config"]["meta"]["statsig"]["materialized"] = declared
    path = _write(tmp_path, data, run_results_document(data))
    assert _findings(path, "materialization") == ([("error", NODE, problem)] if problem else [])
