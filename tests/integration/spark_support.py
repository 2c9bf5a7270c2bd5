"""Apache Spark in the test process: a skip (a failure when REQUIRE_SPARK=1) when it cannot start, and
the session dbt-spark's `session` method opened, for reading what a build made."""

from __future__ import annotations

import importlib.util
import os
import shutil
from typing import Any

import pytest


def require_spark() -> None:
    """Skips the calling test without pyspark, dbt-spark or Java; fails instead when REQUIRE_SPARK=1."""
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(name) is None]
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (
        java_home and os.path.exists(os.path.join(java_home, "bin", "java"))
    ):
        missing.append("java (a JDK 17 on PATH or JAVA_HOME)")
    if not missing:
        return
    reason = f"Spark cannot start here: missing {', '.join(missing)} (pip install -e '.[spark]')"
    if os.environ.get("REQUIRE_SPARK") == "1":
        pytest.fail(reason + " (REQUIRE_SPARK=1)")
    pytest.skip(reason)


def spark_rows(sql: str) -> list[tuple[Any, ...]]:
    """Rows of `sql` in the Spark session dbt-spark opened in this process (its configuration holds)."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    return [tuple(row) for row in session.sql(sql).collect()]
