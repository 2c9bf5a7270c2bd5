"""The command line: exact output and exit codes, through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from statsig_sources import __version__
from statsig_sources.cli import main

SQL = "models/statsig/statsig_purchases.sql"
YML = "models/statsig/_statsig__models.yml"


DEVELOPMENT = (
    "warning: [governed_schema] metric sources are built in `dbt_alice_statsig_staging`, not in the "
    "production governed schema `statsig_staging` (their target is not in statsig_production_targets), so "
    "registering them would point Statsig's experiments at a development build; run render, plan and "
    "apply on a production target's manifest, or let apply register them with --allow-non-production "
    "(STATSIG_SOURCES_ALLOW_NON_PRODUCTION=1)\n"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def read_line(project: Path, adapter: str = "postgres") -> str:
    """The line text output starts with: the fixture manifests record no generation time or target."""
    return (
        f"Read {project / 'target' / 'manifest.json'}: dbt project shop, adapter {adapter}, generated at "
        f"an unknown time; statsig-sources {__version__}.\n"
    )


def test_validate_clean_project_exits_0(dbt_project) -> None:
    project = dbt_project()
    result = run("validate", "--project-dir", str(project))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        read_line(project) + "1 metric source checked: no problems.\n",
        "",
    )


def test_validate_says_which_manifest_and_target_it_read(dbt_project) -> None:
    project = dbt_project()
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    manifest["metadata"]["generated_at"] = "2026-05-20T10:00:00.123456Z"
    (project / "target" / "manifest.json").write_text(json.dumps(manifest))
    results = json.loads((project / "target" / "run_results.json").read_text())
    results["args"]["target"] = "prod"
    (project / "target" / "run_results.json").write_text(json.dumps(results))
    result = run("validate", "--project-dir", str(project))
    assert result.stdout.splitlines()[0] == (
        f"Read {project / 'target' / 'manifest.json'}: dbt project shop, adapter postgres, generated "
        f"2026-05-20 10:00:00 UTC, target prod; statsig-sources {__version__}."
    )


def test_validate_lists_every_problem_and_exits_1(dbt_project) -> None:
    project = dbt_project("invalid/grants__other_grantee.json")
    result = run("validate", "--project-dir", str(project))
    assert result.exit_code == 1
    assert result.stdout == read_line(project) + (
        f"error: [grants] model.shop.statsig_purchases ({SQL}, {YML}): grants select to `analyst`, "
        "which is not a Statsig role\n"
        "1 metric source checked: 1 error.\n"
    )


def test_validate_warnings_alone_exit_0(dbt_project) -> None:
    project = dbt_project("valid/duckdb_developer_schema.json")
    result = run("validate", "--project-dir", str(project))
    assert result.exit_code == 0
    assert result.stdout == read_line(project, "duckdb") + DEVELOPMENT + (
        "warning: [grants] grants are not enforceable on duckdb: dbt applies no grants there, so nothing "
        "limits who may read the governed schema\n"
        "1 metric source checked: 2 warnings.\n"
    )


def test_validate_says_once_that_build_status_is_unchecked_without_run_results(dbt_project) -> None:
    project = dbt_project(run_results=False)
    result = run("validate", "--project-dir", str(project))
    assert (result.exit_code, result.stdout) == (
        0,
        read_line(project)
        + "warning: [build_status] build status unchecked: there is no run_results.json at "
        f"{project / 'target' / 'run_results.json'}; statsig-sources reads the run results of the `dbt run` "
        "or `dbt build` that wrote the manifest (--run-results PATH points elsewhere)\n"
        "1 metric source checked: 1 warning.\n",
    )


def test_validate_json_prints_only_json_with_warnings_inside(dbt_project) -> None:
    result = run(
        "validate",
        "--format",
        "json",
        "--project-dir",
        str(dbt_project("valid/duckdb_developer_schema.json")),
    )
    report = json.loads(result.stdout)
    assert (result.exit_code, report["ok"], report["sources"]) == (0, True, 1)
    assert [(v["severity"], v["rule"], v["node_id"]) for v in report["violations"]] == [
        ("warning", "governed_schema", None),
        ("warning", "grants", None),
    ]


def test_validate_json_states_the_manifest_and_release_the_text_header_states(dbt_project) -> None:
    project = dbt_project()
    patch = f"{__version__.rsplit('.', 1)[0]}.99"  # another patch release of this minor version
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    manifest["metadata"]["generated_at"] = "2026-05-20T10:00:00.123456Z"
    manifest["nodes"]["model.shop.statsig_purchases"]["config"]["meta"]["statsig_sources"] = {
        "package_version": patch
    }
    (project / "target" / "manifest.json").write_text(json.dumps(manifest))
    results = json.loads((project / "target" / "run_results.json").read_text())
    results["args"]["target"] = "prod"
    (project / "target" / "run_results.json").write_text(json.dumps(results))
    report = json.loads(run("validate", "--format", "json", "--project-dir", str(project)).stdout)
    assert list(report)[:2] == ["command", "manifest"]
    assert report["manifest"] == {
        "path": str(project / "target" / "manifest.json"),
        "dbt_project": "shop",
        "adapter": "postgres",
        "generated_at": "2026-05-20T10:00:00.123456Z",
        "target": "prod",
        "statsig_sources_version": __version__,
        "package_version": patch,
    }
    text = run("validate", "--project-dir", str(project)).stdout.splitlines()[0]
    assert text == (
        f"Read {project / 'target' / 'manifest.json'}: dbt project shop, adapter postgres, generated "
        f"2026-05-20 10:00:00 UTC, target prod; statsig-sources {__version__}, dbt package {patch}."
    )


def test_validate_markdown_is_a_table(dbt_project) -> None:
    result = run(
        "validate",
        "--format",
        "markdown",
        "--project-dir",
        str(dbt_project("invalid/materialization__ephemeral.json")),
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:5] == [
        "## statsig-sources validate",
        "",
        "1 metric source checked: 1 error.",
        "",
        "| severity | rule | model | files | message |",
    ]


def test_custom_unit_type_option_admits_the_type(dbt_project) -> None:
    project = str(dbt_project("invalid/unit_types__unlisted_custom_type.json"))
    assert run("validate", "--project-dir", project).exit_code == 1
    assert run("validate", "--project-dir", project, "--custom-unit-type", "companyID").exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            None,
            "Error: no dbt manifest at {path}: run `dbt parse` (or `dbt compile`) first, "
            "or point --manifest at one\n",
        ),
        (
            '{"nodes": {',
            "Error: cannot read manifest {path}: Expecting property name enclosed in double quotes: "
            "line 1 column 12 (char 11)\n",
        ),
        (
            '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v9.json"}}',
            "Error: {path} is a dbt manifest v9, which this tool does not read "
            "(supported: v10, v11, v12; regenerate it with dbt 1.6 or later)\n",
        ),
    ],
    ids=["missing", "truncated", "unsupported"],
)
@pytest.mark.parametrize("command", ["validate", "render"])
def test_unusable_manifest_exits_2_without_traceback(
    tmp_path: Path, command: str, content: str | None, message: str
) -> None:
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)
    result = run(command, "--manifest", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message.format(path=path))


def test_bad_option_exits_2() -> None:
    assert run("validate", "--format", "yaml").exit_code == 2


def test_render_writes_one_file_per_source_then_check_passes(dbt_project) -> None:
    project = dbt_project()
    result = run("render", "--project-dir", str(project))
    assert (result.exit_code, result.stdout) == (
        0,
        read_line(project) + "wrote: metric_sources/statsig_purchases.yml\n"
        "metric_sources/: 1 written, 0 removed, 0 unchanged.\n",
    )
    first = (project / "metric_sources" / "statsig_purchases.yml").read_bytes()
    assert (
        run("render", "--project-dir", str(project)).stdout
        == read_line(project) + "metric_sources/: 0 written, 0 removed, 1 unchanged.\n"
    )
    assert (project / "metric_sources" / "statsig_purchases.yml").read_bytes() == first
    check = run("render", "--check", "--project-dir", str(project))
    assert (check.exit_code, check.stdout) == (
        0,
        read_line(project) + "metric_sources/ is up to date (1 file).\n",
    )


def test_render_check_lists_stale_missing_and_orphaned_and_writes_nothing(dbt_project) -> None:
    project = dbt_project()
    run("render", "--project-dir", str(project))
    output = project / "metric_sources"
    (output / "statsig_purchases.yml").write_text((output / "statsig_purchases.yml").read_text() + "# edit\n")
    orphan = (output / "statsig_purchases.yml").read_text().replace("statsig_purchases", "old")
    (output / "old.yml").write_text(orphan)
    (output / "notes.yml").write_text("not ours: no header\n")
    before = {path.name: path.read_bytes() for path in output.iterdir()}
    result = run("render", "--check", "--project-dir", str(project))
    assert (result.exit_code, result.stdout) == (
        1,
        read_line(project) + "stale: metric_sources/statsig_purchases.yml\norphaned: metric_sources/old.yml\n"
        "metric_sources/ is out of date: run `statsig-sources render` and commit the result.\n",
    )
    assert {path.name: path.read_bytes() for path in output.iterdir()} == before
    result = run("render", "--project-dir", str(project))
    assert sorted(path.name for path in output.iterdir()) == ["notes.yml", "statsig_purchases.yml"]


def test_render_check_reports_a_missing_file(dbt_project) -> None:
    result = run("render", "--check", "--format", "json", "--project-dir", str(dbt_project()))
    report = json.loads(result.stdout)
    assert (result.exit_code, report["missing"], report["ok"]) == (1, ["statsig_purchases.yml"], False)


def test_render_refuses_invalid_sources_and_writes_nothing(dbt_project) -> None:
    project = dbt_project("invalid/lineage__hard_coded_table.json")
    result = run("render", "--project-dir", str(project))
    assert result.exit_code == 1
    assert result.stdout.endswith("1 metric source checked: 1 error.\nrender refused: nothing was written.\n")
    assert not (project / "metric_sources").exists()


def test_render_output_dir_option(dbt_project, tmp_path: Path) -> None:
    project = dbt_project()
    result = run("render", "--project-dir", str(project), "--output-dir", "statsig/sources")
    assert result.exit_code == 0
    assert (project / "statsig" / "sources" / "statsig_purchases.yml").is_file()


def test_render_failure_leaves_no_half_written_file(dbt_project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = dbt_project()

    def broken_replace(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("statsig_sources.registration.files.os.replace", broken_replace)
    result = run("render", "--project-dir", str(project))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot write to ")
    assert list((project / "metric_sources").iterdir()) == []


@pytest.mark.parametrize(
    ("options", "tags"),
    [
        ((), "tags:\n- managed-by:statsig-sources:shop\n- revenue\n"),
        (("--marker", "managed-by:shop"), "tags:\n- managed-by:shop\n- revenue\n"),
    ],
    ids=["default-names-the-dbt-project", "marker-option"],
)
def test_render_adds_the_ownership_marker(dbt_project, options: tuple[str, ...], tags: str) -> None:
    project = dbt_project()
    assert run("render", "--project-dir", str(project), *options).exit_code == 0
    assert tags in (project / "metric_sources" / "statsig_purchases.yml").read_text()


def test_empty_marker_is_an_input_error(dbt_project) -> None:
    result = run("render", "--project-dir", str(dbt_project()), "--marker", " ")
    assert (result.exit_code, result.stderr) == (2, "Error: --marker must not be empty.\n")


def test_help_loads_no_sql_yaml_or_http_library() -> None:
    # A fresh interpreter, so modules other tests imported do not hide an eager import.
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from statsig_sources.cli import COMMANDS, main\n"
        "for args in [['--help'], *([name, '--help'] for name in COMMANDS)]:\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "print(sorted(m for m in ('sqlglot', 'yaml', 'httpx', 'jsonschema') if m in sys.modules))\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout == "[]\n"
