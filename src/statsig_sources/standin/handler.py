"""The HTTP side of the stand-in: one thread per connection, JSON in and out, the not-Statsig header.

A request the stand-in cannot read is answered, never dropped: a `Content-Length` that is not a
number (or disagrees with another), a body shorter than it says, one sent in chunks, longer than
`MAX_BODY_BYTES` or nested deeper than the validator goes (schemas.MAX_DEPTH) gets Statsig's 400 body
(413 for the size) and the connection is closed when what follows on it cannot be trusted. Anything
the stand-in itself fails at is a 500, and it keeps serving.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from statsig_sources.standin.envelope import INVALID, Drop
from statsig_sources.standin.schemas import MAX_DEPTH, nesting

STAND_IN_HEADER = ("X-Statsig-Stand-In", "not Statsig")
MAX_BODY_BYTES = 16 * 1024 * 1024  # far above any body this tool sends (a source: a few kB)
IDLE_SECONDS = 60.0  # a connection silent this long, mid-request or between requests, is closed
LINGER_SECONDS, LINGER_CHUNKS = 0.5, 256  # after a refusal: wait this long, read at most 16 MiB


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class Answers(Protocol):
    """What answers a request: the stand-in (server.py), which this module does not know."""

    def handle(
        self, method: str, raw_path: str, headers: Any, body: Any
    ) -> tuple[int, Any, dict[str, str]]: ...


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    fake: Answers  # set on a subclass per stand-in

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and delayed
        # ACKs add ~40 ms to every answer on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    _linger = False  # a refused request's body may still be arriving

    def finish(self) -> None:
        """After refusing a request whose body was not read, read (and drop) what the client still
        sends for a moment before closing: closing with unread data makes the kernel reset the
        connection, and the client could lose the refusal."""
        super().finish()
        if self._linger:
            try:
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(LINGER_SECONDS)
                for _ in range(LINGER_CHUNKS):
                    if not self.connection.recv(65536):
                        break
            except OSError:
                pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:  # the client went away or fell silent (a timeout): nothing to answer
            self.close_connection = True

    def _serve(self) -> None:
        try:
            body = self._body()
        except _Unreadable as unreadable:
            self.close_connection = self._linger = True
            self._answer(unreadable.status, _refusal(unreadable.status, unreadable.reason), {})
            return
        try:
            status, payload, extra = self.fake.handle(self.command, self.path, self.headers, body)
        except Drop:
            self.close_connection = True
            return
        except Exception as error:  # a bug of the stand-in: say so, and keep serving
            status, payload, extra = 500, {"status": 500, "message": f"The stand-in failed: {error!r}"}, {}
        self._answer(status, payload, extra)

    def _body(self) -> Any:
        """The request's JSON body (None without one), `Malformed` when it is not JSON the stand-in
        validates; `_Unreadable` when the request itself cannot be read."""
        if self.headers.get("Transfer-Encoding") is not None:
            raise _Unreadable(400, "a body sent in chunks: send Content-Length")
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or ()}
        if len(lengths) > 1 or not all(length.isascii() and length.isdigit() for length in lengths):
            raise _Unreadable(400, f"Content-Length {', '.join(sorted(lengths))!r} is not one length")
        length = int(lengths.pop()) if lengths else 0
        if length > MAX_BODY_BYTES:
            raise _Unreadable(413, f"a body of {length:,} bytes; at most {MAX_BODY_BYTES:,} are read")
        raw = self.rfile.read(length) if length else b""
        if len(raw) < length:
            raise _Unreadable(400, f"the body ended after {len(raw):,} of {length:,} bytes")
        return parsed(raw) if raw else None

    def _answer(self, status: int, payload: Any, extra: dict[str, str]) -> None:
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header(*STAND_IN_HEADER)
        for name, value in extra.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":  # an answer to HEAD has headers only
            self.wfile.write(data)

    def __getattr__(self, name: str) -> Any:
        """Every method goes to `_serve`, even one with no route (answered 404 `Cannot BREW /x`, as any
        path without a route is): http.server would answer 501 without Statsig's error body."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


def parsed(raw: bytes) -> Any:
    """A body as JSON, or `Malformed` saying why it is none the stand-in reads."""
    try:
        body = json.loads(raw)
    except ValueError as error:
        return Malformed(f"not JSON: {error}")
    except RecursionError:
        return Malformed(f"nested deeper than {MAX_DEPTH} levels")
    if nesting(body) > MAX_DEPTH:
        return Malformed(f"nested deeper than {MAX_DEPTH} levels")
    return body


class Malformed:
    """A request body that is not JSON the stand-in validates; answered with Statsig's 400."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Unreadable(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _refusal(status: int, reason: str) -> dict[str, Any]:
    message = INVALID if status == 400 else "Payload too large."
    return {
        "status": status,
        "message": message,
        "errors": [{"property": "(request)", "errorMessage": reason}],
    }
