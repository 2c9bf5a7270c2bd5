"""What every endpoint of the client shares: its transport, answers checked against the models of what
this tool reads (`shapes.py`, msgspec), and lists followed to their last page with an explicit
`limit`, within a bound."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from statsig_sources.statsig.answers import ApiError, MalformedAnswer
from statsig_sources.statsig.shapes import PAGINATION, Shape, describe, problem
from statsig_sources.statsig.transport import Transport
from statsig_sources.support.errors import RemoteError

PAGE_SLACK = 2  # pages beyond what totalItems needs (items created while listing)
MAX_PAGES = 1_000  # the most pages followed when Statsig gives no totalItems


# What a client read while it kept a log: each object's kind (its shape's) and the object as answered.
Reads = list[tuple[str, dict[str, Any]]]


class Endpoints:
    """The base of the client: `_transport` and `page_size` are set by StatsigClient."""

    _transport: Transport
    page_size: int
    _reads: Reads | None = None

    @contextmanager
    def reads_logged(self) -> Iterator[Reads]:
        """Every object the client reads (lists and single objects, of every kind) until the block ends,
        in order: what a saved plan fingerprints (registration/fingerprint.py)."""
        log: Reads = []
        self._reads = log
        try:
            yield log
        finally:
            self._reads = None

    def _log(self, shape: Shape, objects: list[dict[str, Any]]) -> None:
        if self._reads is not None:
            self._reads.extend((shape.kind, item) for item in objects)

    def _found(self, path: str, shape: Shape) -> dict[str, Any] | None:
        """GET one object: its checked `data`, or None when Statsig answers 404."""
        try:
            body = self._transport.request("GET", path)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        found = self._checked(body.get("data"), shape, f"GET {path}")
        self._log(shape, [found])
        return found

    def redact(self, text: str) -> str:
        """`text` with the key (in any case or encoding) and anything shaped like a key masked."""
        return self._transport.redact(text)

    def _paginate(
        self, path: str, shape: Shape, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Follow `pagination.nextPage` to the end, keeping our own parameters on every page.

        `nextPage` is a path such as `/console/v1/...?page=2&limit=50`; only its page number is
        taken, and the request goes to our base URL (which may be a proxy with another prefix). The
        number of pages is bounded by `totalItems` (plus slack), or by `MAX_PAGES` without it.
        """
        query = {**(params or {}), "page": "1", "limit": str(self.page_size)}
        items: list[dict[str, Any]] = []
        seen = {query["page"]}
        bound: int | None = None
        while True:
            data, pagination = self._page(path, self._transport.request("GET", path, params=query), shape)
            self._log(shape, data)
            items.extend(data)
            next_page = pagination.get("nextPage")
            if not next_page or not data:
                return items
            if bound is None:
                bound = _page_bound(pagination, len(data))
            if len(seen) >= bound:
                raise RemoteError(self.redact(_endless(path, len(seen), pagination, len(data))))
            page = dict(parse_qsl(urlsplit(str(next_page)).query)).get("page", "")
            if not page.isdigit() or page in seen:
                what = f"repeats page {page}" if page in seen else f"offers a next page {next_page!r}"
                raise RemoteError(self.redact(f"Statsig's pagination of GET {path} {what}; stopped."))
            seen.add(page)
            query = {**query, "page": page}

    def _page(
        self, path: str, body: Mapping[str, Any], shape: Shape
    ) -> tuple[list[dict[str, Any]], Mapping[str, Any]]:
        data = body.get("data")
        pagination = body.get("pagination")
        if not isinstance(data, list):
            found: str | None = f"`data` is {describe(data)}, not a list"
        else:
            found = problem(data, shape, "data", many=True)
        if found is None and pagination is not None:
            found = problem(pagination, PAGINATION, "pagination")
        if found is not None:
            raise MalformedAnswer(self.redact(_malformed(f"GET {path}", found)))
        return list(data), pagination or {}  # type: ignore[arg-type]  # shapes checked above

    def _checked(self, data: Any, shape: Shape, target: str) -> dict[str, Any]:
        found = problem(data, shape, "data")
        if found is not None:
            raise MalformedAnswer(self.redact(_malformed(target, found)))
        return dict(data)


def _total(pagination: Mapping[str, Any]) -> float | None:
    total = pagination.get("totalItems")
    if isinstance(total, bool) or not isinstance(total, (int, float)):
        return None
    return float(total) if math.isfinite(total) and total >= 0 else None


def _page_bound(pagination: Mapping[str, Any], per_page: int) -> int:
    """The most pages a list may take: what `totalItems` needs at this page size, plus slack."""
    total = _total(pagination)
    if total is None:
        return MAX_PAGES
    return math.ceil(total / max(1, per_page)) + PAGE_SLACK


def _endless(path: str, pages: int, pagination: Mapping[str, Any], per_page: int) -> str:
    total = _total(pagination)
    if total is None:
        why = f"the most this tool follows when Statsig gives no totalItems ({MAX_PAGES:,})"
    else:
        why = f"more than the {total:,.0f} items Statsig reported (totalItems) need at {per_page} per page"
    return (
        f"Statsig kept offering another page of GET {path}: stopped after {pages:,} pages, {why}. "
        "Safe to rerun."
    )


def _malformed(target: str, found: str) -> str:
    return f"Statsig's answer to {target} is not what its API documents: {found}."


def data_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The `data` object of an answer to a write (empty when it has none)."""
    data = body.get("data")
    return dict(data) if isinstance(data, dict) else {}
