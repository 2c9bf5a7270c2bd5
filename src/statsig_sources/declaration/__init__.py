"""Stage 2: the `meta.statsig` declaration. The contract the dbt package shares, its one checker, the
declaration models, the settings and what the gate admits."""
