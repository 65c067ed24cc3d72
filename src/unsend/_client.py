"""``Canceller`` and ``AsyncCanceller``: the only code that sends.

Both drive a ``CancelCall`` with a fresh tenacity controller per cancel; they differ only in how
they send, read and sleep.
"""

from __future__ import annotations

from types import TracebackType
from typing import Final, Self

import httpx
from tenacity import AsyncRetrying, Retrying

from ._call import CancelCall, OnRetry
from ._clock import Clock, SystemClock
from ._provider import Provider
from ._result import CancelResult
from ._retry import RetryPolicy

__all__ = ["DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "AsyncCanceller", "Canceller"]

DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
# Keep every connection alive: cancels come in bursts, and a new TLS handshake per cancel costs
# more than the cancel itself.
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)


def _as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


class _CancellerBase:
    def __init__(
        self,
        provider: Provider,
        *,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy | None,
        clock: Clock | None,
        on_retry: OnRetry | None,
        owns_client: bool,
    ) -> None:
        self.provider = provider
        self.timeout = _as_timeout(timeout)
        self.retry = retry if retry is not None else RetryPolicy()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.on_retry = on_retry
        self._owns_client = owns_client

    def _call(self, message_id: str) -> CancelCall:
        return CancelCall(
            self.provider,
            message_id,
            policy=self.retry,
            timeout=self.timeout,
            clock=self.clock,
            on_retry=self.on_retry,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider!r}, retry={self.retry!r})"


class Canceller(_CancellerBase):
    """Cancels messages at one provider, synchronously.

    Pass ``client`` to use your own ``httpx.Client`` (proxies, mTLS, HTTP/2, a mock transport);
    unsend then never closes it. Safe to share between threads.
    """

    def __init__(
        self,
        provider: Provider,
        *,
        client: httpx.Client | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        on_retry: OnRetry | None = None,
    ) -> None:
        super().__init__(
            provider,
            timeout=timeout,
            retry=retry,
            clock=clock,
            on_retry=on_retry,
            owns_client=client is None,
        )
        self.client = client if client is not None else httpx.Client(limits=DEFAULT_LIMITS)

    def cancel(self, message_id: str) -> CancelResult:
        """Cancel one message; returns its outcome or raises an ``UnsendError``."""
        call = self._call(message_id)
        retrying = Retrying(sleep=self.clock.sleep, **call.retry_kwargs())
        result: CancelResult | None = None
        for attempt in retrying:
            with attempt:
                result = self._attempt(call)
        assert result is not None  # tenacity re-raises the last error when it gives up
        return result

    def _attempt(self, call: CancelCall) -> CancelResult:
        body = bytearray()
        try:
            response = self.client.send(call.next_request(), stream=True)
            try:
                for chunk in response.iter_bytes():
                    call.accept_chunk(body, chunk)
            finally:
                response.close()
        except httpx.RequestError as exc:
            raise call.transport_error(exc) from exc
        return call.result(response, body)

    def close(self) -> None:
        """Close the HTTP client if unsend created it."""
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncCanceller(_CancellerBase):
    """Cancels messages at one provider, asynchronously (asyncio or trio).

    Pass ``client`` to use your own ``httpx.AsyncClient``; unsend then never closes it. Safe to
    share between tasks.
    """

    def __init__(
        self,
        provider: Provider,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        on_retry: OnRetry | None = None,
    ) -> None:
        super().__init__(
            provider,
            timeout=timeout,
            retry=retry,
            clock=clock,
            on_retry=on_retry,
            owns_client=client is None,
        )
        self.client = client if client is not None else httpx.AsyncClient(limits=DEFAULT_LIMITS)

    async def cancel(self, message_id: str) -> CancelResult:
        """Cancel one message; returns its outcome or raises an ``UnsendError``."""
        call = self._call(message_id)
        retrying = AsyncRetrying(sleep=self.clock.asleep, **call.retry_kwargs())
        result: CancelResult | None = None
        async for attempt in retrying:
            with attempt:
                result = await self._attempt(call)
        assert result is not None  # tenacity re-raises the last error when it gives up
        return result

    async def _attempt(self, call: CancelCall) -> CancelResult:
        body = bytearray()
        try:
            response = await self.client.send(call.next_request(), stream=True)
            try:
                async for chunk in response.aiter_bytes():
                    call.accept_chunk(body, chunk)
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            raise call.transport_error(exc) from exc
        return call.result(response, body)

    async def aclose(self) -> None:
        """Close the HTTP client if unsend created it."""
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
