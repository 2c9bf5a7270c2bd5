"""`make demo`: build the package's demo on an embedded DuckDB and say what was built, and where.

    python scripts/demo.py            # from the repository root, inside the virtual environment

The database file is statsig_demo.duckdb at the repository root, or STATSIG_SOURCES_DUCKDB_PATH.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

ROOT = Path(__file__).resolve().parent.parent
GOVERNED_SCHEMA = "statsig_staging"


def build(database: Path) -> bool:
    os.environ["STATSIG_SOURCES_DUCKDB_PATH"] = str(database)
    result = dbtRunner().invoke(["build", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT)])
    return result.success


def describe(database: Path) -> str:
    lines = [f"Demo database: {database}", f"Governed metric-source views in schema {GOVERNED_SCHEMA}:"]
    # Opened as dbt-duckdb opened it (read-write, no config): its instance is still open in this process.
    with duckdb.connect(str(database)) as db:
        views = db.sql(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'VIEW' order by table_name",
            params=[GOVERNED_SCHEMA],
        ).fetchall()
        for (view,) in views:
            columns = db.sql(f'describe "{GOVERNED_SCHEMA}"."{view}"').fetchall()
            [(rows,)] = db.sql(f'select count(*) from "{GOVERNED_SCHEMA}"."{view}"').fetchall()
            shown = ", ".join(f"{name} {kind.lower()}" for name, kind, *_ in columns)
            lines.append(f"  {view:<26} {rows:>5} rows  ({shown})")
    lines.append(
        f"Look inside: .venv/bin/dbt show --inline 'select * from {GOVERNED_SCHEMA}.demo_orders' --limit 5"
    )
    return "\n".join(lines)


def main() -> int:
    database = Path(os.environ.get("STATSIG_SOURCES_DUCKDB_PATH", ROOT / "statsig_demo.duckdb")).resolve()
    if not build(database):
        print("The demo build failed; dbt's messages above say why.", file=sys.stderr)
        return 1
    print()
    print(describe(database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
