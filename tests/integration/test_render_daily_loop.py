"""The daily loop on the PostgreSQL shop fixture (docs/registration.md#the-daily-loop): a developer
builds on `dev`, and `render` there would write the developer's schema into the committed files, which
CI's `render --check` then fails. `render` refuses that manifest, writing nothing and naming the
command to run instead; after `dbt parse --target prod` it writes files that name the production
governed schema, and `render --check` passes, until the next development build."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dbt_harness import DbtProject
from postgres_support import admin_connection, scratch_database, shop_project

from statsig_sources.cli import main

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

SOURCES = ["customers.yml", "orders.yml", "payments.yml"]


def refusal(command: str) -> str:
    done = "compared" if command.endswith("--check") else "written"
    return (
        f"Error: {command} refused, nothing was {done}: metric sources are built in "
        "`dbt_dev_statsig_staging`, not in the production governed schema `statsig_staging` (the manifest "
        "was parsed for target `dev`, which is not in statsig_production_targets), and the files render "
        f"writes are committed and registered as they are; run `dbt parse --target prod`, then "
        f"`statsig-sources {command}` again, or pass --allow-non-production "
        "(STATSIG_SOURCES_ALLOW_NON_PRODUCTION=1) to read this manifest anyway.\n"
    )


@pytest.fixture(scope="module")
def shop(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtProject]:
    admin_connection().close()
    with scratch_database(f"statsig_sources_loop_{os.getpid()}") as database:
        yield shop_project(database, tmp_path_factory.mktemp("loop"), repo_root)


def _render(project: DbtProject, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["render", *args, "--project-dir", str(project.project_dir)],
        env={"STATSIG_SOURCES_ALLOW_NON_PRODUCTION": None},
    )


def _committed(project: DbtProject) -> dict[str, str]:
    directory = project.project_dir / "metric_sources"
    if not directory.exists():
        return {}
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.yml"))}


def _developer_build(project: DbtProject) -> None:
    """`dbt build` on the profile's default target, `dev`, as a developer runs it."""
    result = project.invoke("build")
    assert result.success, result.exception or [str(item.message) for item in result.result.results]


def test_the_daily_loop_renders_the_production_manifest_and_refuses_the_developer_s(
    shop: DbtProject,
) -> None:
    _developer_build(shop)
    for command in (["render"], ["render", "--check"]):
        refused = _render(shop, *command[1:])
        assert refused.exit_code == 1, refused.output
        assert refused.stderr.splitlines()[-1] + "\n" == refusal(" ".join(command))
        assert _committed(shop) == {}

    # The loop: dbt parse --target prod, render, commit. The parse needs no warehouse.
    assert shop.invoke("parse", "--target", "prod").success
    written = _render(shop)
    assert written.exit_code == 0, written.output
    committed = _committed(shop)
    assert sorted(committed) == SOURCES
    for name, text in committed.items():
        assert '"statsig_staging"."statsig_' in text and "dbt_dev" not in text, name
    assert _render(shop, "--check").exit_code == 0

    # The next development build leaves a developer's manifest behind: CI-style `render --check` on it
    # is refused with the way out, and the committed files stay as they were.
    _developer_build(shop)
    check = _render(shop, "--check")
    assert (check.exit_code, check.stderr.splitlines()[-1] + "\n") == (1, refusal("render --check"))
    assert _committed(shop) == committed
