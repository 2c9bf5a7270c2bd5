"""Stage 1 of the pipeline: dbt's artifacts (manifest.json, run_results.json, catalog.json) read into typed
values, and every path the tool reads or writes beside them. Imports only `support`."""
