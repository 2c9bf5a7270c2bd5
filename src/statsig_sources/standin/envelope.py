"""Statsig's envelope: `{message, data}`, lists with a `pagination` object whose `nextPage` is a path
string (1-based pages), errors as `{status, message, errors?}`; and reading query parameters."""

from __future__ import annotations

from typing import Any

INVALID = "Invalid request. Please check the request input and try again."


class Reply(Exception):
    """An answer other than the route's own: an error, or a fault's scripted status."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class Drop(Exception):
    """Close the connection without answering."""


def error(status: int, message: str, errors: list[dict[str, str]] | None = None) -> Reply:
    body: dict[str, Any] = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    return Reply(status, body)


def flag(query: dict[str, list[str]], name: str) -> bool:
    value = last(query, name) or "false"
    if value not in ("true", "false"):
        raise error(400, "Invalid request.", [{"property": name, "errorMessage": "must be true or false"}])
    return value == "true"


def last(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[-1] if values else None


def positive(query: dict[str, list[str]], key: str, default: int) -> int:
    raw = last(query, key)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise error(
            400, "Invalid request.", [{"property": key, "errorMessage": "must be a positive integer"}]
        )
    return int(raw)


def page(
    default_limit: int, path: str, query: dict[str, list[str]], items: list[Any], message: str
) -> tuple[int, Any]:
    """Statsig's pagination: 1-based pages; nextPage/previousPage are path strings or null."""
    limit = positive(query, "limit", default_limit)
    number = positive(query, "page", 1)
    start = (number - 1) * limit
    chunk = items[start : start + limit]
    has_next = start + limit < len(items)
    pagination = {
        "itemsPerPage": limit,
        "pageNumber": number,
        "nextPage": f"{path}?page={number + 1}&limit={limit}" if has_next else None,
        "previousPage": f"{path}?page={number - 1}&limit={limit}" if number > 1 else None,
        "totalItems": len(items),
        "all": path,
    }
    return 200, {"message": message, "data": chunk, "pagination": pagination}
