"""The core: dbt's artifacts read, the declaration contract, the project the checks and the payloads
start from, and SQL reading. Imports nothing else of the package."""
