"""load_desired: rendered source files, one YAML mapping per file, in the API's field names."""

from __future__ import annotations

from pathlib import Path

import pytest

from statsig_sources.desired import load_desired, read_project_name
from statsig_sources.errors import InputError


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: a\nsql: select 1\n", {"name": "a", "sql": "select 1"}),
        (
            "name: t\nsourceType: table\ntableName: db.s.t\n",
            {"name": "t", "sourceType": "table", "tableName": "db.s.t", "sql": ""},
        ),
        ("name: o\nowner: data@example.com\n", {"name": "o", "owner": {"ownerEmail": "data@example.com"}}),
        ("name: o\nowner: Data Team\n", {"name": "o", "owner": {"ownerName": "Data Team"}}),
    ],
    ids=["query", "table-sends-empty-sql", "owner-email", "owner-name"],
)
def test_load_desired_reads_one_payload_per_file(
    tmp_path: Path, text: str, expected: dict[str, object]
) -> None:
    assert load_desired(write(tmp_path / "metric_sources", {"a.yml": text})) == [expected]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- a\n- b\n", "expected one mapping of Statsig source fields"),
        ("sql: select 1\n", "`name` is required and must be a string"),
        ("name: a\ntimestamp_column: ts\n", "unknown field(s) timestamp_column"),
        ("name: [unclosed\n", "not readable YAML (ParserError)"),
    ],
)
def test_load_desired_reports_every_bad_file(tmp_path: Path, text: str, problem: str) -> None:
    folder = write(tmp_path / "metric_sources", {"bad.yml": text, "worse.yaml": "[]"})
    with pytest.raises(InputError) as caught:
        load_desired(folder)
    assert f"bad.yml: {problem}" in str(caught.value)
    assert "worse.yaml: expected one mapping" in str(caught.value)


def test_load_desired_orders_files_by_name(tmp_path: Path) -> None:
    folder = write(tmp_path / "s", {"b.yml": "name: b\n", "a.yaml": "name: a\n", "notes.md": "x"})
    assert [s["name"] for s in load_desired(folder)] == ["a", "b"]


def test_read_project_name(tmp_path: Path) -> None:
    assert read_project_name(tmp_path) is None
    (tmp_path / "dbt_project.yml").write_text("name: shop\nversion: '1.0'\n")
    assert read_project_name(tmp_path) == "shop"
