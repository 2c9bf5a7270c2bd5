"""A local stand-in for Statsig's Console API (not Statsig), for CI, demos and tests.

`statsig-sources stand-in` runs it from the command line; in Python:

    with FakeStatsig() as statsig:
        statsig.seed_file(Path("seed.yml"))
        ...  # point STATSIG_API_URL at statsig.url

Needs the `stand-in` extra, a JSON Schema validator (`pip install 'jsonschema>=4.20'`).
"""

from statsig_sources.standin.seed import SeedError
from statsig_sources.standin.server import STAND_IN_HEADER, FakeStatsig
from statsig_sources.standin.state import Fault, Recorded, make_metric

__all__ = ["STAND_IN_HEADER", "FakeStatsig", "Fault", "Recorded", "SeedError", "make_metric"]
