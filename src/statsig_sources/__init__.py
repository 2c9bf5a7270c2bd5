"""Statsig Warehouse Native metric sources, managed as code from dbt models."""

__version__ = "0.1.0"
