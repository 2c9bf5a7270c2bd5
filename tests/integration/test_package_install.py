"""The package installs the two ways packages.yml offers for an unpublished package: by local path (the
session fixture) and by git."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from dbt_harness import DbtProject, copy_consumer_project

pytestmark = pytest.mark.dbt

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "consumer_project"


def test_package_installs_from_git_and_its_macros_reach_the_consumer(repo_root: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    # A bare clone stands in for the hosted repository: dbt deps clones it like any git URL.
    remote = tmp_path / "statsig-sources.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(repo_root), str(remote)], check=True)
    project_dir = copy_consumer_project(FIXTURE, tmp_path / "project", repo_root)
    (project_dir / "packages.yml").write_text(
        f'packages:\n  - git: "file://{remote}"\n    revision: HEAD\n', encoding="utf-8"
    )
    project = DbtProject(project_dir, {"STATSIG_CONSUMER_DUCKDB": str(tmp_path / "git.duckdb")})
    assert project.invoke("deps").success
    assert (project_dir / "dbt_packages" / "statsig_sources" / "dbt_project.yml").is_file()
    result = project.invoke("parse")
    assert result.success, result.exception
    manifest = json.loads((project_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    assert "macro.statsig_sources.statsig_source" in manifest["macros"]
    schema = manifest["nodes"]["model.statsig_consumer.statsig_purchases"]["schema"]
    assert schema == "statsig_staging"
