"""The documented CI recipe runs as written. Its jobs' steps are read from the workflow in
docs/registration.md, so the docs cannot drift from what works, and run in order with bash on a checkout
of tests/fixtures/ci_project (DuckDB), against the fake Statsig: the pull request's `plan` job, then the
merge's `apply` job, which applies the plan the first saved. statsig-sources is installed by the
recipe's own `pip install`, from a wheel built here, with no package index, into a new virtual
environment. What only GitHub has is stubbed: `gh` (a script that records its arguments, answers which
pull request and run a merge came from, and downloads the artifact the plan job kept), the `${{ }}`
expressions, the runner's `GITHUB_*` variables, and the `uses:` actions (the checkout is a copy;
setup-python is the new environment's interpreter first on PATH; upload-artifact copies the file to
where the stubbed `gh run download` finds it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sysconfig
import venv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt_harness import copy_consumer_project
from wheel_support import build_wheel

from statsig_sources.standin import FakeStatsig, make_metric

pytestmark = pytest.mark.dbt

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "ci_project"
KEY = "console-CIRECIPE0042"
PULL_REQUEST = "17"
MARKER = "managed-by:statsig-sources:ci_shop"
# What the workflow's expressions stand for on a runner.
EXPRESSIONS = {
    "secrets.STATSIG_CONSOLE_API_KEY": KEY,
    "github.token": "ghs-test-token",
    "github.event.pull_request.number": PULL_REQUEST,
}
KNOWN_ACTIONS = ("actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4")
GH_STUB = """#!/usr/bin/env bash
# Records each call (one argument per line, then a blank line) and the body it would post. Answers
# what the apply job asks: the merged pull request's head (`api`), the run that planned it (`run list`,
# when the plan job kept an artifact), and that run's artifact (`run download`).
printf '%s\\n' "$@" "" >> "$GH_CALLS"
case "$1 $2" in
  "api "*) printf '%s\\n' "$GH_PR_HEAD" ;;
  "run list") if [ -d "$GH_ARTIFACTS" ]; then printf '4242\\n'; fi ;;
  "run download")
    while [ "$#" -gt 0 ]; do
      if [ "$1" = "--name" ]; then cp "$GH_ARTIFACTS/$2"/* . || exit 1; fi
      shift
    done ;;
esac
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cat "$2" > "$GH_BODY"; fi
  shift
done
"""
PR_HEAD = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"
MERGE_SHA = "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3"


def _workflow(repo_root: Path) -> dict[str, Any]:
    text = (repo_root / "docs" / "registration.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "statsig-sources.yml" in b]
    workflow: dict[str, Any] = yaml.safe_load(block)
    return workflow


def _expand(text: str) -> str:
    """`${{ expression }}` as GitHub would substitute it; an unknown expression fails the test."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in EXPRESSIONS, (
            f"the recipe uses an expression this test does not know: {expression}"
        )
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def _runs_after_failure(step: Mapping[str, Any]) -> bool:
    condition = str(step.get("if", "")).replace("${{", "").replace("}}", "").strip()
    assert condition in ("", "!cancelled()", "always()"), f"unknown step condition: {condition}"
    return condition in ("!cancelled()", "always()")


@dataclass
class Environment:
    """A new virtual environment that reaches the test environment's third-party packages (dbt-core,
    dbt-duckdb, click, ...) but not statsig-sources itself, and a pip that finds only the built wheel."""

    root: Path
    wheel_dir: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"


def _third_party(workdir: Path) -> Path:
    """Symlinks to this environment's site-packages, less statsig-sources' own editable install."""
    site = Path(sysconfig.get_paths()["purelib"])
    links = workdir / "third_party"
    links.mkdir()
    for entry in site.iterdir():
        name = entry.name.lower()
        if name.startswith(("statsig_sources", "__editable__", "pip", "_distutils_hack")) or name.endswith(
            ".pth"
        ):
            continue
        (links / entry.name).symlink_to(entry)
    return links


@pytest.fixture(scope="module")
def environment(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Environment:
    workdir = tmp_path_factory.mktemp("ci_recipe")
    wheels = build_wheel(repo_root, workdir)
    root = workdir / "venv"
    venv.EnvBuilder(with_pip=True).create(root)
    purelib = subprocess.run(
        [str(root / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "third_party.pth").write_text(f"{_third_party(workdir)}\n", encoding="utf-8")
    # pip finds dbt-core installed (through the .pth) and so writes no `dbt` script; a runner's pip
    # would have, so the job gets the one dbt-core declares.
    dbt = root / "bin" / "dbt"
    dbt.write_text(
        f"#!{root / 'bin' / 'python'}\nimport sys\nfrom dbt.cli.main import cli\nsys.exit(cli())\n"
    )
    dbt.chmod(0o755)
    gh = root / "bin" / "gh"
    gh.write_text(GH_STUB)
    gh.chmod(0o755)
    return Environment(root, wheels)


@dataclass
class JobRun:
    steps: list[tuple[str, int]]  # (step name, exit code) of each step that ran
    output: str
    gh_calls: list[list[str]]
    comment: str | None

    @property
    def succeeded(self) -> bool:
        return all(code == 0 for _, code in self.steps)


def run_job(
    repo_root: Path,
    environment: Environment,
    fake: FakeStatsig,
    workdir: Path,
    name: str = "plan",
    *,
    pr_head: str = PR_HEAD,
) -> JobRun:
    """Runs one of the recipe's jobs step by step, as a runner would, on a fresh checkout. The jobs of
    one workdir share the warehouse and the artifacts (what the plan job keeps, the apply job gets)."""
    workflow = _workflow(repo_root)
    job = workflow["jobs"][name]
    checkout = copy_consumer_project(FIXTURE, workdir / f"checkout_{name}", repo_root)
    [wheel] = environment.wheel_dir.glob("statsig_sources-*.whl")
    env = {
        "PATH": f"{environment.bin}:/usr/bin:/bin",
        "HOME": str(workdir),
        "VIRTUAL_ENV": str(environment.root),
        **{name: str(value) for name, value in workflow.get("env", {}).items()},
        **{name: str(value) for name, value in job.get("env", {}).items()},
        # What a user sets: where the package comes from, and the adapter; pip may use no index.
        "STATSIG_SOURCES_PACKAGE": str(wheel),
        "DBT_ADAPTER": "dbt-duckdb",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(environment.wheel_dir),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # Where Statsig is (a repository variable would say so); the production warehouse (which the
        # plan job's `dbt parse` never opens, and the apply job's `dbt build` builds).
        "STATSIG_API_URL": fake.url,
        "STATSIG_CI_DUCKDB": str(workdir / "warehouse.duckdb"),
        # What the runner sets, and what the stubbed `gh` answers from.
        "GITHUB_REPOSITORY": "acme/analytics",
        "GITHUB_SHA": MERGE_SHA,
        "GH_PR_HEAD": pr_head,
        "GH_ARTIFACTS": str(workdir / "artifacts"),
        "GH_CALLS": str(workdir / f"gh_calls_{name}.txt"),
        "GH_BODY": str(workdir / "gh_body.md"),
    }
    ran: list[tuple[str, int]] = []
    output = []
    for step in job["steps"]:
        failed = any(code != 0 for _, code in ran)
        if "uses" in step:
            assert step["uses"] in KNOWN_ACTIONS, (
                f"the recipe uses an action this test does not stub: {step['uses']}"
            )
            if step["uses"].startswith("actions/upload-artifact") and not failed:
                ran.append((step["name"], _upload(checkout, step["with"], Path(env["GH_ARTIFACTS"]))))
            continue
        if failed and not _runs_after_failure(step):
            continue
        step_env = {**env, **{name: _expand(str(value)) for name, value in step.get("env", {}).items()}}
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _expand(step["run"])],
            cwd=checkout,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        step_name = step.get("name", step["run"].splitlines()[0])
        ran.append((step_name, completed.returncode))
        output.append(f"$ {step_name}\n{completed.stdout}{completed.stderr}")
    calls_file, body_file = Path(env["GH_CALLS"]), Path(env["GH_BODY"])
    calls = (
        [block.splitlines() for block in calls_file.read_text().split("\n\n") if block]
        if calls_file.exists()
        else []
    )
    comment = body_file.read_text() if body_file.exists() else None
    return JobRun(ran, "\n".join(output), calls, comment)


def _upload(checkout: Path, given: Mapping[str, Any], artifacts: Path) -> int:
    """actions/upload-artifact: the file at `path`, kept under `name` (it fails when there is none)."""
    source = checkout / str(given["path"])
    if not source.is_file():
        return 1
    kept = artifacts / str(given["name"])
    kept.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, kept / source.name)
    return 0


@pytest.fixture
def fake() -> Iterator[FakeStatsig]:
    with FakeStatsig() as server:
        yield server


STEPS = [
    "Install",
    "A production-target manifest, without connecting to the warehouse",
    "Plan",
    "Keep the reviewed plan for the merge",
    "Comment the plan",
]
APPLY_STEPS = [
    "Install",
    "The plan reviewed on the pull request",
    "Build the governed views on the production target",
    "Apply the reviewed plan",
]


def test_the_plan_job_comments_the_pending_changes(
    repo_root: Path, environment: Environment, fake: FakeStatsig, tmp_path: Path
) -> None:
    job = run_job(repo_root, environment, fake, tmp_path)
    assert job.steps == [(name, 0) for name in STEPS], job.output
    assert job.gh_calls == [["pr", "comment", PULL_REQUEST, "--body-file", "plan.md", "--edit-last"]]
    assert job.comment is not None
    assert job.comment.startswith(
        "### Statsig metric sources plan\n\nRead target/manifest.json: dbt project ci_shop"
    )
    assert f"Marker `{MARKER}`: 1 to create, 0 to update" in job.comment
    assert "| + | create | `statsig_signups` |  |" in job.comment
    assert fake.mutations == 0
    # The job ran the wheel's statsig-sources, not this checkout's.
    where = subprocess.run(
        [str(environment.bin / "python"), "-c", "import statsig_sources; print(statsig_sources.__file__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(environment.root))


def test_the_plan_job_fails_when_the_change_breaks_a_live_metric_and_still_comments(
    repo_root: Path, environment: Environment, fake: FakeStatsig, tmp_path: Path
) -> None:
    registered = {
        "name": "statsig_signups",
        "description": "One row per signup.",
        "tags": [MARKER],
        "sourceType": "query",
        # An earlier declaration's SQL: it had the dimension `country`, which this pull request drops.
        "sql": 'select\n  "user_id",\n  "timestamp",\n  "plan",\n  "country"\n'
        'from "warehouse"."statsig_staging"."statsig_signups"\n',
        "timestampColumn": "timestamp",
        "timestampAsDay": False,
        "idTypeMapping": [{"statsigUnitID": "userID", "column": "user_id"}],
        "isReadOnly": True,
    }
    fake.seed_sources([registered])
    fake.seed_metrics(
        [make_metric("Signups by country", "statsig_signups", metricDimensionColumns=["country"])]
    )
    job = run_job(repo_root, environment, fake, tmp_path)
    assert job.steps == [(STEPS[0], 0), (STEPS[1], 0), (STEPS[2], 1), (STEPS[4], 0)], job.output
    assert not job.succeeded
    assert job.comment is not None
    assert (
        "**Blocked: source `statsig_signups`.** `apply` leaves it as Statsig holds it and exits 1, so "
        "this plan fails CI." in job.comment
    )
    assert "Signups by country uses country (removed)" in job.comment
    assert fake.mutations == 0


def test_the_merge_applies_exactly_the_plan_the_pull_request_reviewed(
    repo_root: Path, environment: Environment, fake: FakeStatsig, tmp_path: Path
) -> None:
    planned = run_job(repo_root, environment, fake, tmp_path)
    assert planned.succeeded, planned.output
    [plan_file] = (tmp_path / "artifacts" / "statsig-plan").iterdir()
    saved = json.loads(plan_file.read_text())
    [create] = [item for item in saved["items"] if item["action"] == "create"]
    job = run_job(repo_root, environment, fake, tmp_path, "apply")
    assert job.steps == [(name, 0) for name in APPLY_STEPS], job.output
    # The plan of the merged pull request's last successful run, found through `gh`.
    assert job.gh_calls[0][:2] == [
        "api",
        f"repos/acme/analytics/commits/{'9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3'}/pulls",
    ]
    assert job.gh_calls[1][:8] == [
        "run",
        "list",
        "--workflow",
        "statsig-sources.yml",
        "--event",
        "pull_request",
        "--commit",
        PR_HEAD,
    ]
    assert job.gh_calls[2] == ["run", "download", "4242", "--name", "statsig-plan"]
    assert "statsig-plan.json still holds: Statsig and the project are as it found them" in job.output
    writes = [(r.method, r.path, r.body) for r in fake.requests if r.method != "GET"]
    assert writes == [("POST", "/console/v1/metrics/metric_source", create["payload"])]
    assert fake.sources["statsig_signups"]["sql"] == create["payload"]["sql"]


def test_the_merge_applies_nothing_when_statsig_changed_after_the_review(
    repo_root: Path, environment: Environment, fake: FakeStatsig, tmp_path: Path
) -> None:
    assert run_job(repo_root, environment, fake, tmp_path).succeeded
    # Between the review and the merge, an analyst builds a metric on a source in the console.
    fake.seed_sources(
        [{"name": "console_events", "sql": "select 1", "timestampColumn": "ts", "idTypeMapping": []}]
    )
    fake.seed_metrics([make_metric("Console events", "console_events")])
    job = run_job(repo_root, environment, fake, tmp_path, "apply")
    assert job.steps == [*[(name, 0) for name in APPLY_STEPS[:3]], (APPLY_STEPS[3], 1)], job.output
    assert "no longer matches what it was planned from" in job.output
    assert "  - metric `Console events::user_warehouse` appeared in Statsig\n" in job.output
    assert "  - source `console_events` appeared in Statsig\n" in job.output
    assert fake.mutations == 0


def test_a_push_no_pull_request_planned_applies_nothing(
    repo_root: Path, environment: Environment, fake: FakeStatsig, tmp_path: Path
) -> None:
    job = run_job(repo_root, environment, fake, tmp_path, "apply", pr_head="")
    assert job.steps == [(APPLY_STEPS[0], 0), (APPLY_STEPS[1], 1)], job.output
    assert f"No reviewed plan for {MERGE_SHA}: no pull request planned it. Nothing is applied." in job.output
    assert fake.requests == []
