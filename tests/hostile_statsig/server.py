"""A raw loopback HTTP server with scripted answers: what the fake Statsig will not do.

The fake is strict and faithful; this one misbehaves on purpose. Each request is handed to a script
that returns a `Reply`: any status, reason phrase, headers and body (JSON or raw bytes), optionally
trickled one byte at a time, or no answer at all (the connection closed). Used for answers that trickle
or are lost, lists whose `nextPage` never ends, wrong types, redirects, and keys echoed in every case
and encoding.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PREFIX = "/console/v1"


@dataclass(frozen=True)
class Seen:
    """A request as the server received it."""

    method: str
    path: str  # without the /console/v1 prefix
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a JSON value, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # the status line's reason phrase (default: the standard one)
    trickle: float | None = None  # seconds between single bytes of the whole answer
    drop: bool = False  # close the connection without answering (an answer lost on the way)


Script = Callable[[Seen], Reply]


def envelope(data: Any, *, next_page: str | None = None, total: int | None = None, **extra: Any) -> Reply:
    """A Statsig list page (or, without pagination arguments, a single-object answer)."""
    body: dict[str, Any] = {"message": "ok", "data": data, **extra}
    if isinstance(data, list):
        body["pagination"] = {
            "itemsPerPage": len(data),
            "pageNumber": 1,
            "nextPage": next_page,
            "previousPage": None,
            **({"totalItems": total} if total is not None else {}),
        }
    return Reply(200, body)


class HostileServer:
    """`with HostileServer(script) as server:`; point clients at `server.url`."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02})
        self._thread.daemon = True

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{PREFIX}"

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self.seen)

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: HostileServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        seen = Seen(
            self.command,
            parts.path.removeprefix(PREFIX),
            dict(parse_qsl(parts.query)),
            {name: value for name, value in self.headers.items()},
            json.loads(raw) if raw else None,
        )
        self.server_state.record(seen)
        self._send(self.server_state.script(seen))

    def _send(self, reply: Reply) -> None:
        if reply.drop:
            self.close_connection = True
            return
        if isinstance(reply.body, bytes):
            data = reply.body
        else:
            data = b"" if reply.body is None else json.dumps(reply.body).encode()
        reason = reply.reason if reply.reason is not None else self.responses.get(reply.status, ("",))[0]
        head = [f"HTTP/1.1 {reply.status} {reason}", "Content-Type: application/json"]
        head += [f"Content-Length: {len(data)}", *(f"{k}: {v}" for k, v in reply.headers.items())]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data
        if reply.trickle is None:
            self.wfile.write(raw)
            return
        self.close_connection = True
        for index in range(len(raw)):
            if self.server_state.stopping.wait(reply.trickle):
                return
            try:
                self.connection.sendall(raw[index : index + 1])
            except OSError:  # the client gave up
                return

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve
