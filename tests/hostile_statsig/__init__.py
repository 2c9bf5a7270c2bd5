"""A raw loopback server that misbehaves on purpose (server.py), and hostile Statsig metrics built
from the OpenAPI document's text fields (metric_fields.py), for tests in every tier."""

from hostile_statsig.server import HostileServer, Reply, Seen, envelope

__all__ = ["HostileServer", "Reply", "Seen", "envelope"]
