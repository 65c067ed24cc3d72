"""The sync client's bound on a whole attempt: every socket operation ends by the deadline.

httpx's timeouts are per operation, so a server dripping its headers one byte per read resets
the read timeout forever. The async client bounds the whole attempt with a cancel scope; a
blocking socket cannot be cancelled from outside, so the sync client's own pools use this
network backend instead: each connect, read and write gets the smaller of its own timeout and
the time left before the attempt's deadline, which the driver sets in a context variable. Past
the deadline the operation fails at once with the matching httpcore timeout.
"""

from __future__ import annotations

import time
from typing import Any

import httpcore
import httpx

from .transport import ATTEMPT_DEADLINE

__all__ = ["DeadlineBackend", "deadline_transport"]


def _clip(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = ATTEMPT_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the cancel's deadline passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _clip(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _clip(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _clip(timeout, httpcore.ConnectTimeout), socket_options
        )
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(**kwargs: Any) -> httpx.HTTPTransport:
    """An ``httpx.HTTPTransport`` whose pool connects through ``DeadlineBackend``."""
    transport = httpx.HTTPTransport(**kwargs)
    # The one private attribute unsend still touches. httpx offers no parameter for its pool's
    # network backend. httpcore's public ``ConnectionPool(network_backend=...)`` under a
    # transport of unsend's own would avoid it, but OpenTelemetry's httpx instrumentation
    # wraps ``httpx.HTTPTransport.handle_request`` only, so sync cancels would lose their HTTP
    # span. Pinned by the header-drip tests, which fail loudly if a new httpx moves it.
    pool = transport._pool
    if not hasattr(pool, "_network_backend"):  # pragma: no cover - a future httpcore
        raise RuntimeError("httpcore's pool no longer exposes its network backend")
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return transport
