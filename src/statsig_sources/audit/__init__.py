"""`audit`: a live check of what the Statsig role can do in the warehouse.

The checks are pure (`checks.py`) over facts a warehouse inspector collects (`facts.py`); each
warehouse has its own inspector behind one small protocol (`inspector.py`). PostgreSQL is implemented;
docs/audit.md gives the equivalent catalog queries for other warehouses.
"""
