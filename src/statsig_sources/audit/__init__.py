"""`audit`: a live check of what the Statsig role can do in the warehouse.

The checks are pure (`checks.py` for the governed schema, `outside.py` for everything else,
`everyone.py` for PUBLIC, other grantees and roles that cannot be audited) over facts a warehouse
inspector collects (`facts.py`); their findings (`findings.py`) carry the exact statements that fix
them (`revokes.py`). Each warehouse has its own inspector behind one small protocol (`inspector.py`).
PostgreSQL is implemented (`postgres.py`, with its driver checked in `driver.py`); docs/audit.md gives
the equivalent catalog queries for other warehouses.
"""
