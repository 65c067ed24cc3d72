"""``transport="aiohttp"``: the async sends through aiohttp, sent to directly.

The engine builds an ``httpx.Request``; the lane gives back what every transport gives back
(``Received``: status, headers, the raw body read under the cap), and the engine builds the
one ``httpx.Response`` the adapter reads. Only the bytes in between travel through aiohttp,
whose connection pool costs far less CPU per request than httpcore's under concurrency (docs:
Benchmarks). Why not the ``httpx-aiohttp`` transport: it passes the URL to aiohttp as text,
which yarl re-normalizes (``%41`` becomes ``A``, ``%2E%2E`` a dot segment that is then
resolved); unsend's request must reach the wire byte for byte as built, so the URL is handed
over already encoded. Compression is left to the engine (``auto_decompress=False``, no
``Accept-Encoding`` sent), which decodes under its cap.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

import httpx

from .call import AttemptTimedOut, BodyTooLarge, Received, Reply, Send
from .clock import Clock
from .transport import HttpxAsyncLane, RawBody

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpLane", "aiohttp_available"]

_SKIP_HEADERS = frozenset({"Accept-Encoding", "User-Agent", "Content-Type"})


def aiohttp_available() -> bool:
    try:
        import aiohttp  # noqa: F401
    except ImportError:  # pragma: no cover - aiohttp is a dependency; a stripped install
        return False
    return True


def _request_error(exc: BaseException, request: httpx.Request) -> httpx.RequestError:
    """aiohttp's failure as the httpx error the engine classifies (connect vs later)."""
    import aiohttp

    text = f"{type(exc).__name__}: {exc}"
    kind: type[httpx.RequestError]
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ClientProxyConnectionError):
        kind = httpx.ConnectError
    elif isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, TimeoutError):
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientResponseError):
        kind = httpx.RemoteProtocolError
    else:
        kind = httpx.ReadError
    return kind(text, request=request)


class AiohttpLane:
    """One aiohttp session for every async request of a canceller (its pool needs no lanes).

    aiohttp runs on asyncio only: under another event loop (trio) the lane sends through an
    httpx client instead, so ``AsyncCanceller.cancel`` keeps working there.
    """

    def __init__(self, *, limit: int, verify: ssl.SSLContext) -> None:
        self._limit = limit
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._elsewhere: HttpxAsyncLane | None = None

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=0, ssl=self._verify)
        self._session = aiohttp.ClientSession(
            connector=connector,
            skip_auto_headers=_SKIP_HEADERS,
            auto_decompress=False,
            trust_env=False,
        )
        return self._session

    async def send(self, step: Send, clock: Clock) -> Reply:
        import asyncio

        import aiohttp
        import sniffio
        import yarl

        if sniffio.current_async_library() != "asyncio":
            return await self._httpx_lane().send(step, clock)
        session = self._session if self._session is not None else self._open()
        request = step.request
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        body = RawBody(clock, step.time_left)
        try:
            async with asyncio.timeout(step.time_left):  # the whole attempt, headers included
                try:
                    async with session.request(
                        request.method,
                        yarl.URL(str(request.url), encoded=True),
                        headers=request.headers.multi_items(),
                        data=request.content or None,
                        allow_redirects=False,
                        timeout=aiohttp.ClientTimeout(
                            sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
                        ),
                    ) as answer:
                        async for chunk in answer.content.iter_any():
                            body.add(chunk)
                        status, headers = answer.status, httpx.Headers(answer.raw_headers)
                except (AttemptTimedOut, BodyTooLarge) as failure:
                    return failure
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    return _request_error(exc, request)
        except TimeoutError:
            return AttemptTimedOut()
        return Received(status, headers, b"".join(body.chunks), request)

    def _httpx_lane(self) -> HttpxAsyncLane:
        if self._elsewhere is None:
            self._elsewhere = HttpxAsyncLane(httpx.AsyncClient(verify=self._verify))
        return self._elsewhere

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._elsewhere is not None:
            await self._elsewhere.aclose()
            self._elsewhere = None
