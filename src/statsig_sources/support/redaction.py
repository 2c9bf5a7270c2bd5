"""Keeping the Console API key out of everything the CLI prints, logs or writes.

Statsig's 401 echoes the key it was sent, and a proxy or a misbehaving server may echo it in another
case or encoding. `Redactor` masks every variant of the key: as sent, upper-, lower- and case-folded,
URL-encoded and JSON-escaped, character by character in any mix (`key_pattern`). Messages (errors, log lines)
also lose anything shaped like a Console key (`console-…`), whoever's it is.

The client applies it to every answer it decodes (`data`) and to every message it builds from an answer
(`text`), and registers its key in `SECRETS` while it is open. Log records from the client and from
httpx/httpcore go through one `RedactingFilter` over `SECRETS`, which the CLI installs once at its entry
(`install_log_redaction`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

MASK = "***"
# Anything shaped like a Console key, in any case: masked in messages (not in data, where a metric's
# description may legitimately say "console-based").
KEY_SHAPE = re.compile(r"console-[A-Za-z0-9_\-]+", re.IGNORECASE)
# A UTF-16 surrogate on its own (JSON's "\ud800" decodes to one): not text, cannot be encoded.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# Loggers whose records may carry text from Statsig (httpcore logs response headers at DEBUG).
LOGGERS = (
    "statsig_sources.statsig.api",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def key_pattern(key: str) -> re.Pattern[str] | None:
    """One pattern for every form of `key` that may come back: each character in any letter case, or
    percent-encoded (`%2D`, `%2d`), or JSON-escaped (`\\u002d`, `\\"`), in any mix."""
    if not key:
        return None
    return re.compile("".join(_char_forms(char) for char in key), re.IGNORECASE)


def _char_forms(char: str) -> str:
    forms = {re.escape(char), re.escape(char.casefold())}
    forms.add(re.escape("".join(f"%{byte:02x}" for byte in char.encode("utf-8"))))
    forms.add(re.escape("".join(f"\\u{unit:04x}" for unit in _utf16(char))))
    if char in '"\\/':
        forms.add(re.escape("\\" + char))
    if char == " ":
        forms.add(re.escape("+"))
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"


def _utf16(char: str) -> list[int]:
    data = char.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


class Redactor:
    """Masks a key (every variant, any letter case) in text and in decoded JSON."""

    def __init__(self, key: str) -> None:
        self._pattern = key_pattern(key)

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


class Secrets:
    """The keys of every client alive in this process, masked together (a key registered twice stays
    until it is discarded twice)."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[int, Redactor]] = {}
        self._lock = threading.Lock()

    def add(self, key: str) -> None:
        with self._lock:
            count, redactor = self._held.get(key, (0, Redactor(key)))
            self._held[key] = (count + 1, redactor)

    def discard(self, key: str) -> None:
        with self._lock:
            count, redactor = self._held.get(key, (0, Redactor(key)))
            if count > 1:
                self._held[key] = (count - 1, redactor)
            else:
                self._held.pop(key, None)

    def text(self, text: str) -> str:
        """`text` without any held key, and without anything shaped like a Console key."""
        for _, redactor in list(self._held.values()):
            text = redactor.secret(text)
        return _NO_KEY.text(text)


class RedactingFilter(logging.Filter):
    """Rewrites every record's message through a `Redactor` (or `Secrets`) before any handler sees it."""

    def __init__(self, redactor: Redactor | Secrets) -> None:
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


_NO_KEY = Redactor("")
# Every client registers its key here for as long as it is open; the filter below masks them all.
SECRETS = Secrets()
LOG_FILTER = RedactingFilter(SECRETS)


def install_log_redaction() -> None:
    """Redact the client's and httpx's log records from now on (the CLI does so once, at its entry; a
    library that logs httpx or httpcore at DEBUG calls it too). Installing twice changes nothing."""
    LOG_FILTER.install()


def remove_log_redaction() -> None:
    LOG_FILTER.remove()
