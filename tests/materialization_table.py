"""One table for the package's macro (_statsig_materialization_problem, run by
tests/integration/test_unfriendly_build.py) and the CLI's rule (tests/python/test_build_artifacts.py):
(declared meta.statsig.materialized, resolved config.materialized, the problem both must name)."""

from __future__ import annotations

MATERIALIZATION_TABLE: list[tuple[str | None, str, str | None]] = [
    (None, "view", None),
    ("table", "table", None),
    ("incremental", "incremental", None),
    (
        None,
        "table",
        "is materialized 'table', but a metric source is a view unless its declaration opts in: set "
        "`+materialized: view` on the folder of metric-source models in dbt_project.yml, or declare "
        "meta.statsig.materialized: table",
    ),
    (
        "table",
        "view",
        "declares meta.statsig.materialized: table, but is materialized 'view': set `materialized: table` "
        "in its config, or change the declaration",
    ),
    (
        None,
        "ephemeral",
        "is materialized 'ephemeral', which is not one of view, table, incremental: set `+materialized: "
        "view` on the folder of metric-source models in dbt_project.yml",
    ),
]
