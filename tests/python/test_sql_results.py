"""SQL answers remembered between runs (statsig_sources_sql_reads.json beside the manifest): a run that
uses them answers exactly what a run without them answers, cold, warm and after a model's SQL changed;
they are trusted only by the sqlglot, the dialect and the SQL-reading code that wrote them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from manifest_fixtures import read_fixture, run_results_document
from project_support import load_project
from sqlglot import exp

from statsig_sources.artifacts.paths import SQL_ANSWERS_FILE as CACHE_FILE
from statsig_sources.artifacts.relations import TableRef
from statsig_sources.cli import main
from statsig_sources.declaration.settings import SettingOptions
from statsig_sources.rules import validate
from statsig_sources.sql import answers as sql_results
from statsig_sources.sql.answers import SqlReads, load_answers, save_answers, sql_digest
from statsig_sources.sql.dialects import DIALECTS, IDENTIFIER_QUOTES, quote_identifier
from statsig_sources.support.errors import SqlParseError

NODE = "model.shop.statsig_company_days"
OPTIONS = SettingOptions(custom_unit_types=("companyID",))


def _write(project: Path, data: dict[str, Any]) -> Path:
    target = project / "target"
    target.mkdir(exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (target / "run_results.json").write_text(json.dumps(run_results_document(data)), encoding="utf-8")
    return target / "manifest.json"


def _report(project: Path) -> str:
    result = CliRunner().invoke(
        main,
        ["validate", "--format", "json", "--custom-unit-type", "companyID", "--project-dir", str(project)],
    )
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _without_cache(manifest: Path) -> list[Any]:
    return validate(load_project(manifest, OPTIONS, sql_cache=False))


def _edit_compiled(node: dict[str, Any]) -> None:
    node["compiled_code"] = node["compiled_code"].replace('"marts"."fct_purchases"', "raw.orders")


def _edit_filter(node: dict[str, Any]) -> None:
    node["config"]["meta"]["statsig"]["filter"] = "status <> 'refunded' and ("


@pytest.mark.parametrize("edit", [_edit_compiled, _edit_filter], ids=["compiled-sql", "filter"])
def test_cold_warm_and_edited_runs_report_what_a_run_without_the_cache_reports(
    tmp_path: Path, edit: Any
) -> None:
    data = read_fixture("valid/custom_unit_type_with_user_sql.json")
    manifest = _write(tmp_path, data)
    cache = tmp_path / "target" / CACHE_FILE

    cold = _report(tmp_path)
    assert cache.is_file()
    written = cache.read_bytes()
    warm = _report(tmp_path)
    assert warm == cold
    assert cache.read_bytes() == written  # nothing new to remember: not rewritten
    assert validate(load_project(manifest, OPTIONS)) == _without_cache(manifest) == []

    edit(data["nodes"][NODE])
    _write(tmp_path, data)
    edited = _report(tmp_path)
    assert edited != cold
    assert json.loads(edited)["violations"] == json.loads(_report(tmp_path))["violations"]
    assert validate(load_project(manifest, OPTIONS)) == _without_cache(manifest) != []
    assert cache.read_bytes() != written


def _poisoned(manifest: Path, reader: str | None = None, dialect: str = "postgres") -> None:
    """Remember, sealed with this user's key, an answer no parse would give for the fixture's compiled
    SQL: it reads `raw.secret`."""
    node = json.loads(manifest.read_text())["nodes"][NODE]
    digest = sql_digest(node["compiled_code"], True)
    assert digest is not None
    answer = {digest: SqlReads(frozenset({TableRef(None, "raw", "secret")}))}
    with pytest.MonkeyPatch.context() as patch:
        if reader is not None:
            patch.setattr(sql_results, "_reader", lambda: reader)
        save_answers(manifest.parent / CACHE_FILE, dialect, answer)


def test_a_remembered_answer_is_used_instead_of_parsing(tmp_path: Path) -> None:
    manifest = _write(tmp_path, read_fixture("valid/custom_unit_type_with_user_sql.json"))
    _poisoned(manifest)
    [finding] = validate(load_project(manifest, OPTIONS))
    assert (finding.rule, finding.node_id) == ("lineage", NODE)
    assert "reads `raw.secret`" in finding.message


@pytest.mark.parametrize(
    ("reader", "dialect"),
    [("another sqlglot or reading code", "postgres"), (None, "duckdb")],
    ids=["another-reader", "another-dialect"],
)
def test_answers_from_another_reader_or_dialect_are_not_trusted(
    tmp_path: Path, reader: str | None, dialect: str
) -> None:
    manifest = _write(tmp_path, read_fixture("valid/custom_unit_type_with_user_sql.json"))
    _poisoned(manifest, reader, dialect)
    assert validate(load_project(manifest, OPTIONS)) == []
    assert json.loads((manifest.parent / CACHE_FILE).read_text())["body"]["dialect"] == "postgres"


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"reader": 1}', b"\xff\xfe", b"[]"])
def test_an_unreadable_cache_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    manifest = _write(tmp_path, read_fixture("valid/custom_unit_type_with_user_sql.json"))
    (manifest.parent / CACHE_FILE).write_bytes(content)
    assert validate(load_project(manifest, OPTIONS)) == []
    assert len(load_answers(manifest.parent / CACHE_FILE, "postgres")) == 4  # compiled, sql, filter, formula


def test_a_cache_that_cannot_be_written_is_not_an_error(tmp_path: Path) -> None:
    manifest = _write(tmp_path, read_fixture("valid/custom_unit_type_with_user_sql.json"))
    (manifest.parent / CACHE_FILE).mkdir()  # its name taken by a directory
    assert validate(load_project(manifest, OPTIONS)) == []
    assert _report(tmp_path) == _report(tmp_path)


def test_a_manifest_under_another_name_is_read_without_writing_beside_it(tmp_path: Path) -> None:
    copy = tmp_path / "production_manifest.json"
    copy.write_text(json.dumps(read_fixture("valid/custom_unit_type_with_user_sql.json")), encoding="utf-8")
    assert [finding.rule for finding in validate(load_project(copy, OPTIONS))] == ["build_status"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["production_manifest.json"]


def test_answers_round_trip_and_sql_that_cannot_be_encoded_is_never_remembered(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    answers = {
        "a": SqlReads(frozenset({TableRef(None, "raw", "orders"), TableRef("db", "marts", "fct")})),
        "b": SqlParseError("line 1, column 9: Expected )"),
        "c": SqlReads(frozenset(), ("the table function `read_csv`",)),
    }
    save_answers(path, "postgres", answers)
    loaded = load_answers(path, "postgres")
    assert {
        key: str(value) if isinstance(value, SqlParseError) else value for key, value in loaded.items()
    } == {
        "a": answers["a"],
        "b": "line 1, column 9: Expected )",
        "c": answers["c"],
    }
    assert sql_digest("select '\ud800'", True) is None
    assert sql_digest("x = 1", True) != sql_digest("x = 1", False)


def test_a_warm_run_does_not_load_the_sql_parser(tmp_path: Path) -> None:
    _write(tmp_path, read_fixture("valid/custom_unit_type_with_user_sql.json"))
    script = (
        "import sys\n"
        "from statsig_sources.cli import main\n"
        "try:\n"
        "    main(['validate', '--custom-unit-type', 'companyID', '--project-dir', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('sqlglot' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    assert [run.stdout.splitlines()[-1] for run in runs] == ["True", "False"]


def test_a_warm_run_that_writes_nothing_loads_no_file_writing_modules(tmp_path: Path) -> None:
    # validate's speed at 10,000 nodes is mostly import time: a warm run, which writes nothing, must not
    # pay for what only writing a file or making the local key needs (docs/performance.md).
    _write(tmp_path, read_fixture("valid/custom_unit_type_with_user_sql.json"))
    script = (
        "import sys\n"
        "from statsig_sources.cli import main\n"
        "try:\n"
        "    main(['validate', '--custom-unit-type', 'companyID', '--project-dir', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('tempfile', 'secrets', 'importlib.resources') if m in sys.modules))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    assert runs[1].stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize("dialect", sorted(set(DIALECTS.values())))
def test_identifier_quotes_are_sqlglot_s(dialect: str) -> None:
    assert set(IDENTIFIER_QUOTES) == set(DIALECTS.values())
    quoted = exp.to_identifier("user_id", quoted=True).sql(dialect=dialect)
    assert quote_identifier("user_id", dialect) == quoted
    quote = quoted[0]
    assert quote_identifier(f"odd{quote}name", dialect) == f"{quote}odd{quote}{quote}name{quote}"
