"""Statsig Warehouse Native metric sources, managed as code from dbt models."""

# The one place the version is written by hand: pyproject.toml reads it (setuptools' `attr:`), the
# package's macros get it through the contract (scripts/generate_macro_contract.py reads it from this file
# into macros/utils/_statsig_contract.sql), and dbt_project.yml repeats it for dbt, which reads no
# Python; tests/python/test_versions.py checks every copy. CHANGELOG.md lists each version.
__version__ = "0.2.0"
