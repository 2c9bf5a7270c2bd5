"""docs/stand-in.md as tests: its seed example seeds the stand-in, and its CI job's stand-in steps
plan, apply and plan again on a project with no key and no Statsig."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from statsig_sources import __version__
from statsig_sources.standin import FakeStatsig

DOC = Path(__file__).resolve().parents[2] / "docs" / "stand-in.md"
CI_STEPS = ["Start the stand-in", "Plan, apply and plan again against the stand-in"]


def yaml_block(first_line: str) -> Any:
    """The ```yaml block of docs/stand-in.md that starts with `first_line`."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    [block] = [block for block in blocks if block.startswith(first_line + "\n")]
    return yaml.safe_load(block)


def test_the_seed_example_seeds_what_the_console_example_says(tmp_path: Path) -> None:
    seed = tmp_path / "statsig-seed.yml"
    seed.write_text(yaml.safe_dump(yaml_block("# statsig-seed.yml")))
    fake = FakeStatsig()
    counts = fake.seed_file(seed)
    held = "Holding {metricSources} metric source(s), {metrics} metric(s), {experiments} experiment(s)"
    assert held.format(**counts) + f" and {counts['faults']} fault(s) to inject." in DOC.read_text()


def test_the_ci_jobs_stand_in_steps_plan_apply_and_converge(dbt_project: Any) -> None:
    project = dbt_project()
    [job] = yaml_block("# .github/workflows/statsig-sources-stand-in.yml")["jobs"].values()
    steps = {step.get("name"): step for step in job["steps"]}
    github_env = project / "github.env"
    env = {
        **os.environ,
        "GITHUB_ENV": str(github_env),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    env.pop("STATSIG_API_URL", None)
    # A session of its own, so the stand-in the step leaves running can be stopped with it.
    start = subprocess.Popen(
        ["bash", "-e", "-c", steps[CI_STEPS[0]]["run"]], cwd=project, env=env, start_new_session=True
    )
    assert start.wait(timeout=30) == 0
    try:
        env.update(line.split("=", 1) for line in github_env.read_text().splitlines())
        env.update(steps[CI_STEPS[1]]["env"])
        completed = subprocess.run(
            ["bash", "-e", "-c", steps[CI_STEPS[1]]["run"]],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        os.killpg(start.pid, signal.SIGTERM)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    read = (
        "Read target/manifest.json: dbt project shop, adapter postgres, generated at an unknown time; "
        f"statsig-sources {__version__}.\n"
    )
    marker = "Statsig metric sources (marker managed-by:statsig-sources:shop)"
    pending = f"{read}{marker}: 1 to create, 0 to update, 0 unchanged, 0 orphaned, 0 blocked.\n"
    pending += "+ create statsig_purchases\n"
    assert completed.stdout == (
        f"{pending}{pending}done: create statsig_purchases\nApplied: 1 write(s).\n"
        f"{read}{marker}: 0 to create, 0 to update, 1 unchanged, 0 orphaned, 0 blocked.\n"
    )
