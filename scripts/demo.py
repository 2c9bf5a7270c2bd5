"""`make demo`: the whole job on an embedded DuckDB and the local Statsig stand-in, told step by step.

    python scripts/demo.py            # from the repository root, inside the virtual environment

Builds the package's demo views, then runs validate, render, plan, apply, plan again, usage, dbt parse,
and after a rebuild of one source reload (twice), printing each command as a user would type it.
Statsig is played by `statsig-sources stand-in` (no key, no network). Everything is written under
.demo/ (git-ignored; STATSIG_SOURCES_DEMO_DIR moves it): a copy of the package's dbt files is the
demo's project, so the committed metric_sources/ and the package's models/ are never touched.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

ROOT = Path(__file__).resolve().parent.parent
DBT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds")
GOVERNED_SCHEMA = "statsig_staging"
DEMO_KEY = "console-demo-not-a-real-key"  # the stand-in accepts any console- key; Statsig would not
METRICS_SEED = ROOT / "scripts" / "demo_statsig_seed.yml"
STATSIG_SOURCES = str(Path(sys.executable).parent / "statsig-sources")


class DemoFailed(Exception):
    """A step did not do what the story says; the message says which and why."""


class Demo:
    """Where the demo writes, and the environment its commands run in."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.project = scratch / "project"
        self.database = scratch / "statsig_demo.duckdb"  # its stem is the database name in rendered SQL
        self.state = scratch / "statsig-stand-in.json"
        self.env = {**os.environ, "STATSIG_SOURCES_DUCKDB_PATH": str(self.database)}

    def shown(self, path: Path) -> str:
        """A path as the printed commands name it: relative to the repository root when inside it."""
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

    def fresh_project(self) -> None:
        """A new copy of the package's dbt files: the demo's project, free to write into."""
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.project.mkdir(parents=True)
        for name in DBT_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, self.project / name)
            else:
                shutil.copy(source, self.project / name)

    def dbt(self, *args: str) -> None:
        project = self.shown(self.project)
        show(f"dbt {' '.join(args)} --project-dir {project} --profiles-dir {project}")
        os.environ["STATSIG_SOURCES_DUCKDB_PATH"] = str(self.database)
        where = ["--project-dir", str(self.project), "--profiles-dir", str(self.project)]
        result = dbtRunner().invoke([*args, "--quiet", *where])
        if not result.success:
            raise DemoFailed(f"dbt {args[0]} failed; dbt's messages above say why.")

    def cli(self, *args: str) -> str:
        """Runs `statsig-sources ARGS` as a user would, prints what it printed, and returns it."""
        show(shlex.join(["statsig-sources", *args]))
        completed = subprocess.run(
            [STATSIG_SOURCES, *args], cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        output = completed.stdout.decode()
        print(output, end="")
        if completed.returncode != 0:
            raise DemoFailed(f"statsig-sources {args[0]} exited {completed.returncode}.")
        return output

    @contextmanager
    def stand_in(self, *args: str) -> Iterator[None]:
        """`statsig-sources stand-in ARGS` in the background; the commands inside talk to it."""
        show(shlex.join(["statsig-sources", "stand-in", "--state", self.shown(self.state), *args]) + " &")
        command = [STATSIG_SOURCES, "stand-in", "--state", str(self.state), *args]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().strip()
        if not url:
            raise DemoFailed(f"The stand-in did not start: {process.communicate()[1].strip()}")
        for line in iter(process.stderr.readline, ""):  # its notice, up to what it holds
            print(line, end="")
            if line.startswith("Holding"):
                break
        self.env.update(STATSIG_API_URL=url, STATSIG_CONSOLE_API_KEY=DEMO_KEY)
        show(f"export STATSIG_API_URL={url} STATSIG_CONSOLE_API_KEY={DEMO_KEY}")
        try:
            yield
        finally:
            process.terminate()
            process.communicate(timeout=10)


def show(command: str) -> None:
    print(f"$ {command}", flush=True)


def step(number: int, title: str) -> None:
    print(f"\n{number}. {title}", flush=True)


def describe_views(database: Path) -> None:
    # Opened as dbt-duckdb opened it (read-write, no config): its instance is still open in this process.
    with duckdb.connect(str(database)) as db:
        views = db.sql(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'VIEW' order by table_name",
            params=[GOVERNED_SCHEMA],
        ).fetchall()
        print(f"Governed views in schema {GOVERNED_SCHEMA} of {database.name}:")
        for (view,) in views:
            columns = db.sql(f'describe "{GOVERNED_SCHEMA}"."{view}"').fetchall()
            [(rows,)] = db.sql(f'select count(*) from "{GOVERNED_SCHEMA}"."{view}"').fetchall()
            shown = ", ".join(f"{name} {kind.lower()}" for name, kind, *_ in columns)
            print(f"  {view:<26} {rows:>5} rows  ({shown})")


def describe_exposures(manifest_path: Path) -> None:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    exposures = sorted(manifest["exposures"].values(), key=lambda exposure: exposure["name"])
    print(f"dbt's manifest now holds {len(exposures)} exposure(s), each downstream of the models it reads:")
    for exposure in exposures:
        models = ", ".join(node.rsplit(".", 1)[-1] for node in sorted(exposure["depends_on"]["nodes"]))
        print(f"  {exposure['name']:<34} <- {models}")


def run(demo: Demo) -> None:
    project = demo.shown(demo.project)
    print(
        "statsig-sources demo: governed views in DuckDB, registered with a local stand-in for Statsig's\n"
        f"Console API (no key, no network). Everything is written under {demo.shown(demo.scratch)}/."
    )
    step(1, "Build the governed views (a copy of this package's dbt project, on DuckDB)")
    demo.fresh_project()
    show(f"export STATSIG_SOURCES_DUCKDB_PATH={demo.shown(demo.database)}")
    demo.dbt("build")
    describe_views(demo.database)
    step(2, "Validate every metric source and the governance rules")
    demo.cli("validate", "--project-dir", project)
    step(3, "Render the registration files a pull request shows reviewers")
    demo.cli("render", "--project-dir", project)
    step(4, "Start the Statsig stand-in")
    with demo.stand_in():
        step(5, "Plan: what apply would change in Statsig")
        demo.cli("plan", "--project-dir", project)
        step(6, "Apply")
        demo.cli("apply", "--project-dir", project, "--yes")
        step(7, "Plan again: nothing left to do")
        demo.cli("plan", "--project-dir", project)
    step(8, "Metrics made in the console appear: restart the stand-in with its state and a few of them")
    with demo.stand_in("--seed", demo.shown(METRICS_SEED)):
        step(9, "Usage: which metrics read each source, written as dbt exposures")
        exposures = demo.project / "models" / "statsig_exposures.yml"
        demo.cli("usage", "--project-dir", project, "--write-exposures", demo.shown(exposures))
        step(10, "dbt sees the exposures")
        demo.dbt("parse")
        describe_exposures(demo.project / "target" / "manifest.json")
        step(11, "The next scheduled build rebuilds the orders: reload the experiments that read them")
        # Downstream too (`model+`): on PostgreSQL a rebuilt table takes the views over it with it.
        demo.dbt("build", "--select", "demo_raw_orders+")
        demo.cli("reload", "--project-dir", project)
        step(12, "Reload again after the same build: nothing is loaded twice")
        demo.cli("reload", "--project-dir", project)


def main() -> int:
    scratch = Path(os.environ.get("STATSIG_SOURCES_DEMO_DIR", ROOT / ".demo")).resolve()
    demo = Demo(scratch)
    try:
        run(demo)
    except DemoFailed as failure:
        print(f"\nThe demo stopped: {failure}", file=sys.stderr)
        return 1
    print(
        "\nAgainst your own project and Statsig: the same commands with --project-dir pointing at your dbt\n"
        "project, STATSIG_CONSOLE_API_KEY set to a Console API key and STATSIG_API_URL unset (README.md)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
