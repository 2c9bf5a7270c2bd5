"""`import-semantic-layer`: dbt Semantic Layer definitions (semantic models and metrics) turned into
metric-source models whose `meta.statsig` declarations the rest of the pipeline reads unchanged."""
