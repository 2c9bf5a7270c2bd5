"""Output formatting every report shares: the formats, JSON, markdown table cells, atomic writes."""

from __future__ import annotations

import json
from typing import Any

# Atomic writes belong to the core (its SQL cache is written so too); the commands import them from here.
from statsig_sources.core.files import staged_write as staged_write
from statsig_sources.core.files import write_atomically as write_atomically

FORMATS = ("text", "json", "markdown")


def to_json(data: Any) -> str:
    """A JSON report: indented, keys in the order given, non-ASCII text kept as it is."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def markdown_cell(text: str) -> str:
    """Text that stays inside one markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
