"""The stale-catalog warning is said once per manifest and target, not by every command of a CI job:
`validate` always lists it among its findings; `render`, `plan`, `apply` and `usage` say it only when no
command has said it yet for this manifest (its dbt invocation) and target."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from manifest_fixtures import FIXTURES, run_results_document
from support import KEY

from statsig_sources.artifacts.paths import NOTICES_FILE
from statsig_sources.cli import main
from statsig_sources.standin import FakeStatsig

STALE = (
    "catalog.json (generated 2026-05-20T09:00:00Z) is older than the manifest (generated "
    "2026-05-20T10:00:00Z), so it is stale and its columns were not compared; run `dbt docs generate "
    "--no-compile` after `dbt build` to refresh it"
)


def write_project(root: Path, invocation: str = "first-build", target: str = "prod") -> Path:
    manifest: dict[str, Any] = json.loads((FIXTURES / "valid/postgres_production.json").read_text())
    manifest["metadata"].update(generated_at="2026-05-20T10:00:00Z", invocation_id=invocation)
    (root / "target").mkdir(exist_ok=True)
    (root / "target" / "manifest.json").write_text(json.dumps(manifest))
    results = run_results_document(manifest, target=target, generated_at="2026-05-20T10:00:00Z")
    (root / "target" / "run_results.json").write_text(json.dumps(results))
    catalog = {"metadata": {"generated_at": "2026-05-20T09:00:00Z"}, "nodes": {}, "sources": {}}
    (root / "target" / "catalog.json").write_text(json.dumps(catalog))
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path)


def run(fake: FakeStatsig, project: Path, *args: str) -> Result:
    env = {"STATSIG_API_URL": fake.url, "STATSIG_CONSOLE_API_KEY": KEY}
    command = [*args, "--project-dir", str(project)]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


def says_it(result: Result) -> int:
    return result.output.count(STALE)


def test_a_ci_job_hears_it_once_and_validate_always_lists_it(fake: FakeStatsig, project: Path) -> None:
    said = {
        command: says_it(run(fake, project, command)) for command in ("validate", "render", "plan", "usage")
    }
    assert said == {"validate": 1, "render": 0, "plan": 0, "usage": 0}
    report = json.loads(run(fake, project, "validate", "--format", "json").stdout)
    assert STALE in [violation["message"] for violation in report["violations"]]


def test_the_first_command_to_read_a_manifest_says_it(fake: FakeStatsig, project: Path) -> None:
    first, second = run(fake, project, "plan"), run(fake, project, "apply", "--yes")
    assert (says_it(first), says_it(second)) == (1, 0)
    assert f"warning: [declared_columns] {STALE}\n" in first.stderr


@pytest.mark.parametrize(
    "change",
    [{"invocation": "next-build"}, {"target": "staging_prod"}],
    ids=["another-build", "another-target"],
)
def test_another_manifest_or_target_hears_it_again(
    fake: FakeStatsig, project: Path, change: dict[str, str]
) -> None:
    assert says_it(run(fake, project, "plan")) == 1
    write_project(project, **change)
    assert says_it(run(fake, project, "plan")) == 1
    assert says_it(run(fake, project, "plan")) == 0


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[]", b'{"other|prod": ["x"]}', b"{" * 100_000],
    ids=["garbage", "list", "foreign", "deep"],
)
def test_a_file_it_cannot_trust_means_nothing_was_said(
    fake: FakeStatsig, project: Path, content: bytes
) -> None:
    (project / "target" / NOTICES_FILE).write_bytes(content)
    assert says_it(run(fake, project, "plan")) == 1


def test_a_link_in_the_notices_file_s_place_is_not_followed(
    fake: FakeStatsig, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "said.json"
    elsewhere.write_text(json.dumps({"first-build|prod": [STALE]}))
    (project / "target" / NOTICES_FILE).symlink_to(elsewhere)
    assert says_it(run(fake, project, "plan")) == 1
