"""The sync client's bound on a whole attempt: every socket operation ends by the deadline.

httpx's timeouts are per operation, so a server dripping its headers one byte per read resets
the read timeout forever. The async client bounds the whole attempt with a cancel scope; a
blocking socket cannot be cancelled from outside, so the sync client's own pools (httpcore's
``ConnectionPool`` under a transport of unsend's own, ``network_backend`` being its public
seam) use this network backend instead: each connect, read and write gets the smaller of its
own timeout and the time left before the attempt's deadline, which the driver sets in a
context variable. Past the deadline the operation fails at once with the matching httpcore
timeout.
"""

from __future__ import annotations

import inspect
import ssl
import time
from collections.abc import Iterable, Iterator
from typing import Any, Final

import httpcore
import httpx

from .._telemetry import httpx_instrumented, traced_sync_transport
from .transport import ATTEMPT_DEADLINE

__all__ = ["DeadlineBackend", "DeadlineTransport", "PoolTransport"]


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


# httpcore's errors as the httpx errors a caller of ``httpx.Client`` expects; the most specific
# class an error is an instance of wins (its MRO is walked in order).
_HTTPX_ERRORS: dict[type[Exception], type[httpx.HTTPError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}


def _as_httpx(error: Exception) -> Exception:
    for cls in type(error).__mro__:
        mapped = _HTTPX_ERRORS.get(cls)
        if mapped is not None:
            return mapped(str(error))
    return error


class _Body(httpx.SyncByteStream):
    """httpcore's response body, its errors raised as httpx's."""

    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except Exception as error:
            raise _as_httpx(error) from error

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class PoolTransport(httpx.BaseTransport):
    """An httpx transport over httpcore's public pool, connecting through ``DeadlineBackend``."""

    def __init__(self, *, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        self._connections = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=DeadlineBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        url = request.url
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            answer = self._connections.handle_request(sent)
        except Exception as error:
            raise _as_httpx(error) from error
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._connections.close()


# httpx's own sending function, to tell when a tool has patched httpx's transport class.
_HTTPX_SEND: Final = inspect.unwrap(httpx.HTTPTransport.handle_request)


class DeadlineTransport(httpx.HTTPTransport):
    """The sync pools' transport: ``PoolTransport`` when nothing watches httpx's transport class.

    Tools that see httpx's requests patch ``httpx.HTTPTransport`` itself, and httpx gives that
    class no way to choose its pool's network backend. So, checked per request (a tool turned on
    after a canceller was built still sees it):

    - OpenTelemetry's httpx instrumentation on: the request goes through its public
      ``SyncOpenTelemetryTransport`` around ``PoolTransport``, keeping span and deadline;
    - another patch of the class (vcrpy's cassettes): httpx's own ``handle_request``, which the
      patch wraps, over httpx's own pool, so the tool records or replays the request;
    - otherwise: ``PoolTransport``.
    """

    def __init__(self, *, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, limits=limits)
        self._unsend_pool = PoolTransport(ssl_context=ssl_context, limits=limits)
        self._unsend_traced: httpx.BaseTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if httpx_instrumented():
            if self._unsend_traced is None:
                self._unsend_traced = traced_sync_transport(self._unsend_pool)
            return self._unsend_traced.handle_request(request)
        if httpx.HTTPTransport.handle_request is not _HTTPX_SEND:
            return super().handle_request(request)
        return self._unsend_pool.handle_request(request)

    def close(self) -> None:
        self._unsend_pool.close()
        super().close()
