"""Sockets that never wait past the request's deadline, and the one httpx client built on them.

httpx's timeouts bound each read, not a whole answer: a server that trickles its status line, its
headers or its body one byte at a time never trips a read timeout. So the client's connection pool
runs on a network backend whose streams wait, in every read, write, connect and TLS handshake, at most
the smaller of httpx's timeout and the time left before the deadline of the request being sent
(`DeadlineBackend.within`). Past that deadline they raise `Overdue`, which httpx passes through
unchanged; httpcore closes the connection on the way out. No thread is involved.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from statsig_sources.statsig.settings import ClientSettings

API_VERSION = "20240601"
# httpx's own pool limits (httpx.Limits()), for the pool this module builds.
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class Overdue(Exception):
    """The request's deadline passed before its answer was complete."""


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, with every wait bounded by the deadline of the request being sent."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = httpcore.SyncBackend()
        self._clock = clock
        self._end: ContextVar[float | None] = ContextVar("statsig_request_end", default=None)

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        """Every socket wait inside the block ends `seconds` from now at the latest."""
        token = self._end.set(self._clock() + seconds)
        try:
            yield
        finally:
            self._end.reset(token)

    def bound(self, timeout: float | None) -> tuple[float | None, bool]:
        """The timeout for one wait, and whether the deadline (not httpx's timeout) set it."""
        end = self._end.get()
        if end is None:
            return timeout, False
        left = end - self._clock()
        if left <= 0:
            raise Overdue()
        if timeout is None or left < timeout:
            return left, True
        return timeout, False

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        limit, by_deadline = self.bound(timeout)
        with _overdue_if(by_deadline, httpcore.ConnectTimeout):
            stream = self._inner.connect_tcp(host, port, limit, local_address, socket_options)
        return DeadlineStream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        limit, by_deadline = self.bound(timeout)
        with _overdue_if(by_deadline, httpcore.ConnectTimeout):
            stream = self._inner.connect_unix_socket(path, limit, socket_options)
        return DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    """A connected stream whose every wait is bounded by its backend's request deadline."""

    def __init__(self, stream: httpcore.NetworkStream, backend: DeadlineBackend) -> None:
        self._stream = stream
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit, by_deadline = self._backend.bound(timeout)
        with _overdue_if(by_deadline, httpcore.ReadTimeout):
            return self._stream.read(max_bytes, limit)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limit, by_deadline = self._backend.bound(timeout)
        with _overdue_if(by_deadline, httpcore.WriteTimeout):
            self._stream.write(buffer, limit)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        limit, by_deadline = self._backend.bound(timeout)
        with _overdue_if(by_deadline, httpcore.ConnectTimeout):
            stream = self._stream.start_tls(ssl_context, server_hostname, limit)
        return DeadlineStream(stream, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


@contextmanager
def _overdue_if(by_deadline: bool, timeout_error: type[Exception]) -> Iterator[None]:
    """A timeout the deadline set is the deadline passing: `Overdue`, not httpx's timeout."""
    try:
        yield
    except timeout_error:
        if by_deadline:
            raise Overdue() from None
        raise


class BoundedTransport(httpx.HTTPTransport):
    """httpx's transport over an httpcore connection pool on a `DeadlineBackend`."""

    def __init__(self, backend: DeadlineBackend, proxy: httpx.Proxy | None = None) -> None:
        context = httpx.create_ssl_context()  # loaded once: httpx's pool below shares it
        super().__init__(verify=context, proxy=proxy, limits=_LIMITS)
        if proxy is None:
            self._pool = httpcore.ConnectionPool(
                ssl_context=context,
                max_connections=_LIMITS.max_connections,
                max_keepalive_connections=_LIMITS.max_keepalive_connections,
                keepalive_expiry=_LIMITS.keepalive_expiry,
                network_backend=backend,
            )
        else:  # httpx builds the proxy's pool itself and takes no backend: give it ours
            self._pool._network_backend = backend


class _Client(httpx.Client):
    """An httpx client whose proxies from the environment (HTTPS_PROXY, ...) are bounded too."""

    def __init__(self, backend: DeadlineBackend, **options: Any) -> None:
        self._backend = backend
        super().__init__(**options)

    def _init_proxy_transport(self, proxy: httpx.Proxy, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        return BoundedTransport(self._backend, proxy=proxy)


def http_client(
    settings: ClientSettings, backend: DeadlineBackend, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """The one httpx client of a StatsigClient: base URL, key and version headers, timeouts, set once.

    `transport` replaces the network (httpx.MockTransport in tests); then no deadline bounds reads."""
    return _Client(
        backend,
        base_url=settings.base_url,
        headers={"STATSIG-API-KEY": settings.api_key, "STATSIG-API-VERSION": API_VERSION},
        timeout=settings.timeout,
        transport=transport if transport is not None else BoundedTransport(backend),
        follow_redirects=False,
    )
