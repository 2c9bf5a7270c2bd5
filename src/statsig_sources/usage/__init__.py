"""Usage: which Statsig metrics read each managed source, its reports, and the dbt exposures."""
