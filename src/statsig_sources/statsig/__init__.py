"""Statsig's Console API: the client (the only code that talks to Statsig), msgspec models of its answers,
the defaults `--help` reads, and Statsig's OpenAPI documents (openapi/)."""
