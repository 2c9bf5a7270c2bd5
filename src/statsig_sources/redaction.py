"""Keeping the Console API key out of everything the CLI prints, logs or writes.

Statsig's 401 echoes the key it was sent, and a proxy or a misbehaving server may echo it in another
case or encoding. `Redactor` masks every variant of the key: as sent, upper-, lower- and case-folded,
URL-encoded (`quote`, `quote_plus`) and JSON-escaped, in any letter case. Messages (errors, log lines)
also lose anything shaped like a Console key (`console-…`), whoever's it is.

The client applies it to every answer it decodes (`data`), to every message it builds from an answer
(`text`), and to log records from itself and from httpx/httpcore (`RedactingFilter`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
# Anything shaped like a Console key, in any case: masked in messages (not in data, where a metric's
# description may legitimately say "console-based").
KEY_SHAPE = re.compile(r"console-[A-Za-z0-9_\-]+", re.IGNORECASE)
# A UTF-16 surrogate on its own (JSON's "\ud800" decodes to one): not text, cannot be encoded.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# Loggers whose records may carry text from Statsig (httpcore logs response headers at DEBUG).
LOGGERS = (
    "statsig_sources.statsig_api",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def key_variants(key: str) -> frozenset[str]:
    """Every form of `key` that may come back: each case, each URL encoding, JSON-escaped."""
    cases = {key, key.upper(), key.lower(), key.casefold()}
    variants: set[str] = set()
    for form in cases:
        variants |= {
            form,
            quote(form, safe=""),
            quote(form),
            quote_plus(form),
            json.dumps(form)[1:-1],
            json.dumps(form, ensure_ascii=False)[1:-1],
        }
    return frozenset(variant for variant in variants if variant)


class Redactor:
    """Masks a key (every variant, any letter case) in text and in decoded JSON."""

    def __init__(self, key: str) -> None:
        variants = sorted(key_variants(key), key=len, reverse=True)  # longest first
        self._pattern = re.compile("|".join(map(re.escape, variants)), re.IGNORECASE) if variants else None

    def secret(self, text: str) -> str:
        """`text` without the key (in any variant); other text is left as it is."""
        return self._pattern.sub(MASK, text) if self._pattern is not None else text

    def text(self, text: str) -> str:
        """A message: the key and anything shaped like a Console key masked, lone surrogates replaced."""
        return LONE_SURROGATE.sub(REPLACEMENT, KEY_SHAPE.sub("console-" + MASK, self.secret(text)))

    def contains(self, text: str) -> bool:
        return self._pattern is not None and self._pattern.search(text) is not None

    def data(self, value: Any) -> Any:
        """A decoded JSON value with the key masked and lone surrogates replaced in every string (keys
        too). Iterative, so a deeply nested answer cannot exhaust the stack."""
        fix = self._clean_string
        root: list[Any] = [value]
        stack: list[tuple[Any, Any]] = [(root, 0)]
        while stack:
            holder, slot = stack.pop()
            item = holder[slot]
            if isinstance(item, str):
                holder[slot] = fix(item)
            elif isinstance(item, list):
                copied = list(item)
                holder[slot] = copied
                stack.extend((copied, index) for index in range(len(copied)))
            elif isinstance(item, dict):
                rebuilt = {fix(key) if isinstance(key, str) else key: item[key] for key in item}
                holder[slot] = rebuilt
                stack.extend((rebuilt, key) for key in rebuilt)
        return root[0]

    def _clean_string(self, text: str) -> str:
        return LONE_SURROGATE.sub(REPLACEMENT, self.secret(text))


class RedactingFilter(logging.Filter):
    """Rewrites every record's message through a `Redactor` before any handler sees it."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redactor.text(record.getMessage())
        record.args = None
        return True

    def install(self, names: Iterable[str] = LOGGERS) -> None:
        for name in names:
            logging.getLogger(name).addFilter(self)

    def remove(self, names: Iterable[str] = LOGGERS) -> None:
        for name in names:
            logging.getLogger(name).removeFilter(self)
