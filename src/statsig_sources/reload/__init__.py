"""Reload: after `dbt build`, ask Statsig to load the results of exactly the experiments whose metrics
read what was rebuilt (docs/reload.md)."""
