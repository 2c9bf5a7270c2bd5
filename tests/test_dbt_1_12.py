"""The build tests again, on dbt-core 1.12: tests/integration's dbt tests, run by pytest in the second
environment `make test` builds for them (.venv-dbt-1.12; the Makefile says why it is a second one).
This environment stays on the newest dbt-core 1.11, so the two together are the versions the package
is tested on (docs/versions.md).

Left out there, each for a reason that is not the package's: the Spark tier (pyspark alone outweighs
the rest of that environment, and Spark's session half a minute), the real-browser test (nothing
dbt-specific there), Databricks' offline compile (its adapter's newest
release requires dbt-core<1.12.6) and the documented CI recipe, whose own `pip install` resolves
dbt-core 1.12's requirements, one of which cannot be installed here (the Makefile).

Without the environment the test is skipped, and fails under REQUIRE_DBT_1_12=1, as .ci/run sets it.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.dbt

ENVIRONMENT = ".venv-dbt-1.12"
ARGUMENTS = [
    "tests/integration",
    "-m",
    "dbt and not spark and not browser",
    "-k",
    "not databricks",
    "--ignore",
    "tests/integration/test_ci_recipe.py",
    "-q",
    "-rfEs",
    "-p",
    "no:cacheprovider",
]


def _python(repo_root: Path) -> Path:
    python = repo_root / ENVIRONMENT / "bin" / "python"
    if not python.is_file():
        reason = f"no dbt-core 1.12 environment at {ENVIRONMENT} (`make test` builds it)"
        if os.environ.get("REQUIRE_DBT_1_12") == "1":
            pytest.fail(reason + " (REQUIRE_DBT_1_12=1)")
        pytest.skip(reason)
    return python


def test_the_build_tests_pass_on_dbt_core_1_12(repo_root: Path, tmp_path: Path) -> None:
    python = _python(repo_root)
    version = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('dbt-core'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version.startswith("1.12."), f"{ENVIRONMENT} holds dbt-core {version}; `make test` rebuilds it"
    completed = subprocess.run(
        [str(python), "-m", "pytest", *ARGUMENTS, "--basetemp", str(tmp_path / "basetemp")],
        cwd=repo_root,
        capture_output=True,
        text=True,
    )
    output = completed.stdout + completed.stderr
    summary = output.strip().splitlines()[-1] if output.strip() else "(no output)"
    assert completed.returncode == 0, f"on dbt-core {version}:\n{output[-20_000:]}"
    assert re.search(r"\d+ passed", summary), summary
    # Anything skipped there (no PostgreSQL, an adapter missing) is reported, never passed over.
    if os.environ.get("REQUIRE_DBT_1_12") == "1":
        assert "skipped" not in summary, f"on dbt-core {version}:\n{output[-20_000:]}"
