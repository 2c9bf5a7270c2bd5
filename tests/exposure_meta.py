"""Reading the Statsig metric an exposure records, in either form: `config.meta` (what
`usage --write-exposures` writes, and where dbt 1.10 and later read an exposure's meta) or the
top-level `meta` files written before that, and dbt 1.10 and 1.11 still copy into the manifest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KEY = "statsig_metric"


def statsig_metric(exposure: Mapping[str, Any]) -> Mapping[str, Any]:
    """The exposure's `statsig_metric` block; KeyError when neither form holds one."""
    config = exposure.get("config")
    for meta in (config.get("meta") if isinstance(config, Mapping) else None, exposure.get("meta")):
        if isinstance(meta, Mapping) and isinstance(meta.get(KEY), Mapping):
            block: Mapping[str, Any] = meta[KEY]
            return block
    raise KeyError(f"exposure {exposure.get('name')!r} records no {KEY} in config.meta or meta")
