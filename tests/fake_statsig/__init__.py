"""A fake Statsig Console API on 127.0.0.1 for tests and benchmarks (see server.py)."""

from fake_statsig.routes import make_metric
from fake_statsig.server import FakeStatsig, Fault, Recorded

__all__ = ["Fault", "FakeStatsig", "Recorded", "make_metric"]
