"""``Canceller`` and ``AsyncCanceller``: drivers that only send and sleep.

Every decision lives in the engine: a machine (``Call.steps``, ``cancel_steps``, ``bulk_steps``)
yields ``Send`` and ``Sleep`` steps; a driver performs each and hands back what happened. The
sync driver sends with an ``httpx.Client`` and sleeps with the clock; the async one awaits both.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Generator, Iterable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self, TypedDict, TypeVar, Unpack

import httpx

from ._engine.call import Call, OnRetry, Reply, Step, cancel_call, cancel_steps, secrets_of
from ._engine.clock import Clock, SystemClock
from ._engine.fanout import DEFAULT_CONCURRENCY, check_concurrency, failed_result
from ._engine.gate import Gate
from ._engine.lanes import Lanes
from ._engine.retry import RetryPolicy
from ._engine.transport import AsyncLane, HttpxAsyncLane, drive_async, drive_sync
from ._errors import ConfigError, UnsendError
from ._provider import Provider
from ._result import BulkResult, CancelResult
from .providers._secret import register_secrets

__all__ = [
    "DEFAULT_TIMEOUT",
    "LANES",
    "LANE_CONNECTIONS",
    "LANE_LIMITS",
    "AsyncCanceller",
    "Canceller",
]

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from ._engine.bulk import BulkPlan
    from ._engine.fanout import FanOut, LoopThread
    from ._provider import SupportsBulkCancel
    from ._result import BulkAnswer

T = TypeVar("T")
DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
# httpcore's pool rescans every connection for every waiting request on each event, so one big
# pool under 50 concurrent cancels spends most of its time scanning (profiled: ~2,400 is_idle
# calls per request). An owned httpx client is therefore several small pools ("lanes") sharing
# one TLS context: a single cancel takes the first lane with a free connection, each
# cancel_many worker keeps one (measured at concurrency 50: ~2,300 cancels/s instead of ~530).
LANES: Final = 32
LANE_CONNECTIONS: Final = 2
LANE_LIMITS: Final = httpx.Limits(
    max_connections=LANE_CONNECTIONS, max_keepalive_connections=LANE_CONNECTIONS
)


def _sync_lanes(client: httpx.Client | None) -> Lanes[httpx.Client]:
    """The caller's client as one lane, or small pools sharing one TLS context, whose sockets
    end by each attempt's deadline (see _engine/deadline)."""
    if client is not None:
        return Lanes.single(client)
    tls = httpx.create_ssl_context()

    def make() -> httpx.Client:
        from ._engine.deadline import deadline_transport

        return httpx.Client(transport=deadline_transport(limits=LANE_LIMITS, verify=tls))

    return Lanes(make, LANES, LANE_CONNECTIONS)


# aiohttp's pool does not rescan its connections per request: one session serves every task.
AIOHTTP_CONNECTIONS: Final = 256


def _owned_async_lanes() -> Lanes[AsyncLane]:
    """unsend's aiohttp session; small httpx pools on an install without aiohttp."""
    from ._engine.aio import AiohttpLane, aiohttp_available

    tls = httpx.create_ssl_context()
    if aiohttp_available():
        return Lanes.single(AiohttpLane(limit=AIOHTTP_CONNECTIONS, verify=tls))
    make = lambda: HttpxAsyncLane(httpx.AsyncClient(limits=LANE_LIMITS, verify=tls))  # noqa: E731
    return Lanes(make, LANES, LANE_CONNECTIONS)


def _as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


class CancellerOptions(TypedDict, total=False):
    """What every canceller takes besides its provider and client (both clients alike)."""

    timeout: float | httpx.Timeout
    retry: RetryPolicy | None
    clock: Clock | None
    on_retry: OnRetry | None
    max_rate: float | None


class _CancellerBase:
    def __init__(
        self,
        provider: Provider,
        *,
        owns_client: bool,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        on_retry: OnRetry | None = None,
        max_rate: float | None = None,
    ) -> None:
        self.provider = provider
        self.timeout = _as_timeout(timeout)
        self.retry = retry if retry is not None else RetryPolicy()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.on_retry = on_retry
        self.gate = Gate(max_rate)
        self._owns_client = owns_client
        self._secrets = secrets_of(provider)
        register_secrets(self._secrets)

    def _gates(self, pacer: Gate | None) -> tuple[Gate, ...]:
        return (self.gate,) if pacer is None else (self.gate, pacer)

    def _call(self, message_id: str, pacer: Gate | None = None) -> Call[CancelResult]:
        return cancel_call(
            self.provider,
            message_id,
            policy=self.retry,
            timeout=self.timeout,
            clock=self.clock,
            on_retry=self.on_retry,
            gates=self._gates(pacer),
            secrets=self._secrets,
        )

    def _bulk_provider(self) -> SupportsBulkCancel:
        from ._provider import SupportsBulkCancel

        if not isinstance(self.provider, SupportsBulkCancel):
            raise ConfigError(
                f"{self.provider.name} has no bulk cancel endpoint; use cancel_many",
                provider=self.provider.name,
            )
        return self.provider

    def _matching_steps(
        self,
        batch: int | None,
        everything: bool,
        from_date: datetime | int | None,
        to_date: datetime | int | None,
        filters: dict[str, str | Iterable[str] | None],
    ) -> Generator[Step, Reply, BulkResult]:
        from ._engine.bulk import MatchingPlan, build_filters

        provider = self._bulk_provider()
        params = build_filters(filters, from_date, to_date)
        return self._bulk_steps(MatchingPlan(provider, params, batch=batch, everything=everything))

    def _ids_steps(self, ids: Iterable[str], chunk: int) -> Generator[Step, Reply, BulkResult]:
        from ._engine.bulk import IdsPlan

        return self._bulk_steps(IdsPlan(self._bulk_provider(), ids, chunk=chunk))

    def _bulk_steps(self, plan: BulkPlan) -> Generator[Step, Reply, BulkResult]:
        from ._engine.bulk import bulk_steps

        provider = self._bulk_provider()

        def call_for(request: httpx.Request) -> Call[BulkAnswer]:
            return Call(
                provider.name,
                None,
                request,
                provider.bulk_cancel_result,
                policy=self.retry,
                timeout=self.timeout,
                clock=self.clock,
                on_retry=self.on_retry,
                gates=(self.gate,),
                secrets=self._secrets,
            )

        return bulk_steps(plan, call_for, self.clock)

    def _fan_out(
        self,
        ids: Iterable[str] | AsyncIterable[str],
        lanes: Callable[[int], AsyncLane],
        concurrency: int,
        ordered: bool,
        max_rate: float | None,
    ) -> FanOut:
        """The one cancel_many: ``lanes(n)`` is worker n's lane for its whole run."""
        from ._engine.fanout import FanOut

        check_concurrency(concurrency)
        pacer = Gate(max_rate) if max_rate is not None else None
        worker_lanes = [lanes(n) for n in range(concurrency)]

        async def cancel_one(message_id: str, worker: int) -> CancelResult:
            started = self.clock.monotonic()
            try:
                steps = cancel_steps(self._call(message_id, pacer))
                return await drive_async(steps, worker_lanes[worker], self.clock)
            except UnsendError as error:
                elapsed = self.clock.monotonic() - started
                return failed_result(self.provider.name, message_id, error, elapsed)

        return FanOut(ids, cancel_one, concurrency=concurrency, ordered=ordered)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider!r}, retry={self.retry!r})"


class Canceller(_CancellerBase):
    """Cancels messages at one provider, synchronously.

    Pass ``client`` to use your own ``httpx.Client`` (proxies, mTLS, HTTP/2, a mock transport);
    unsend then never closes it. Options: ``timeout`` (seconds or ``httpx.Timeout``; default
    connect 5 s, the rest 10 s), ``retry`` (a ``RetryPolicy``), ``clock``, ``on_retry``,
    ``max_rate`` (requests per second). Safe to share between threads. ``cancel_many`` runs the same
    fan-out as ``AsyncCanceller`` on a private event loop (a daemon thread, started on first
    use and stopped by ``close``).
    """

    def __init__(
        self,
        provider: Provider,
        *,
        client: httpx.Client | None = None,
        **options: Unpack[CancellerOptions],
    ) -> None:
        super().__init__(provider, owns_client=client is None, **options)
        self._lanes = _sync_lanes(client)
        self._client = client
        self._loop: LoopThread | None = None
        self._fanout_lanes: Lanes[AsyncLane] | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The HTTP client (the first lane, when unsend created its own)."""
        return self._lanes.first

    def cancel(self, message_id: str) -> CancelResult:
        """Cancel one message; returns its outcome or raises an ``UnsendError``."""
        steps = cancel_steps(self._call(message_id))
        lane, client = self._lanes.acquire()
        try:
            return drive_sync(steps, client, self.clock)
        finally:
            self._lanes.release(lane)

    def cancel_many(
        self,
        ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        max_rate: float | None = None,
    ) -> Generator[CancelResult, None, None]:
        """Cancel every id, ``concurrency`` at a time; yield one result per id as each completes.

        A failure for one id is yielded as its result (``Outcome.FAILED``, ``.error`` set); it
        never ends the stream. ``ordered=True`` yields in input order. ``max_rate`` spaces this
        call's requests (per second). Ids are read lazily.
        """
        from ._engine.fanout import iterate_on

        check_concurrency(concurrency)
        loop, lanes = self._fan_out_place()
        pool = self._thread_pool(concurrency)
        if pool is not None:
            from ._engine.transport import ThreadedLane

            threaded: AsyncLane = ThreadedLane(self._lanes.first, pool)
            lanes = Lanes.single(threaded)
        assert lanes is not None
        fixed = lanes.fixed
        fan = self._fan_out(ids, lambda _: fixed(), concurrency, ordered, max_rate)
        try:
            yield from iterate_on(loop, fan)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _fan_out_place(self) -> tuple[LoopThread, Lanes[AsyncLane] | None]:
        """The private loop, and unsend's own async lanes (none with a caller's client)."""
        from ._engine.fanout import LoopThread

        with self._lock:
            if self._loop is None:
                self._loop = LoopThread()
                if self._client is None:
                    self._fanout_lanes = _owned_async_lanes()
            return self._loop, self._fanout_lanes

    def _thread_pool(self, concurrency: int) -> ThreadPoolExecutor | None:
        """Threads for a caller's sync client, which only sends from threads; else None."""
        if self._client is None:
            return None
        from concurrent.futures import ThreadPoolExecutor

        return ThreadPoolExecutor(concurrency, thread_name_prefix="unsend-cancel")

    def cancel_matching(
        self,
        *,
        batch: int | None = 500,
        everything: bool = False,
        from_date: datetime | int | None = None,
        to_date: datetime | int | None = None,
        **filters: str | Iterable[str] | None,
    ) -> BulkResult:
        """QStash: cancel every message matching the filters (see README, "Bulk cancel")."""
        steps = self._matching_steps(batch, everything, from_date, to_date, filters)
        return drive_sync(steps, self._lanes.fixed(), self.clock)

    def cancel_ids(self, ids: Iterable[str], *, chunk: int = 100) -> BulkResult:
        """QStash: cancel these ids with the bulk endpoint, ``chunk`` ids per request."""
        return drive_sync(self._ids_steps(ids, chunk), self._lanes.fixed(), self.clock)

    def close(self) -> None:
        """Close the HTTP clients if unsend created them, and the private loop if started."""
        with self._lock:
            loop, lanes, self._loop, self._fanout_lanes = self._loop, self._fanout_lanes, None, None
        if loop is not None:
            if lanes is not None:
                loop.run(_close_all(lanes))
            loop.close()
        if self._owns_client:
            for client in self._lanes.built():
                client.close()

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
    """Cancels messages at one provider, asynchronously.

    Pass ``client`` to use your own ``httpx.AsyncClient``; unsend then never closes it. The
    options are ``Canceller``'s. Without
    one, unsend sends through its own aiohttp session. Safe to share between tasks. ``cancel``
    runs on asyncio or trio; ``cancel_many`` on asyncio.
    """

    def __init__(
        self,
        provider: Provider,
        *,
        client: httpx.AsyncClient | None = None,
        **options: Unpack[CancellerOptions],
    ) -> None:
        super().__init__(provider, owns_client=client is None, **options)
        self._lanes: Lanes[AsyncLane] = (
            _owned_async_lanes() if client is None else Lanes.single(HttpxAsyncLane(client))
        )

    @property
    def client(self) -> httpx.AsyncClient | None:
        """Your client, or unsend's own httpx client; None when unsend sends through aiohttp."""
        lane = self._lanes.first
        return lane.client if isinstance(lane, HttpxAsyncLane) else None

    async def cancel(self, message_id: str) -> CancelResult:
        """Cancel one message; returns its outcome or raises an ``UnsendError``."""
        steps = cancel_steps(self._call(message_id))
        lane, client = self._lanes.acquire()
        try:
            return await drive_async(steps, client, self.clock)
        finally:
            self._lanes.release(lane)

    def cancel_many(
        self,
        ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        max_rate: float | None = None,
    ) -> AsyncIterator[CancelResult]:
        """Cancel every id, ``concurrency`` at a time; yield one result per id as each completes.

        ``ids`` may be an iterable or an async iterable, read lazily. A failure for one id is
        yielded as its result (``Outcome.FAILED``, ``.error`` set); it never ends the stream.
        ``ordered=True`` yields in input order; ``max_rate`` spaces this call's requests.
        """
        fixed = self._lanes.fixed
        return self._fan_out(ids, lambda _: fixed(), concurrency, ordered, max_rate).stream()

    async def cancel_matching(
        self,
        *,
        batch: int | None = 500,
        everything: bool = False,
        from_date: datetime | int | None = None,
        to_date: datetime | int | None = None,
        **filters: str | Iterable[str] | None,
    ) -> BulkResult:
        """QStash: cancel every message matching the filters (see README, "Bulk cancel")."""
        steps = self._matching_steps(batch, everything, from_date, to_date, filters)
        return await drive_async(steps, self._lanes.fixed(), self.clock)

    async def cancel_ids(self, ids: Iterable[str], *, chunk: int = 100) -> BulkResult:
        """QStash: cancel these ids with the bulk endpoint, ``chunk`` ids per request."""
        return await drive_async(self._ids_steps(ids, chunk), self._lanes.fixed(), self.clock)

    async def aclose(self) -> None:
        """Close the HTTP clients if unsend created them."""
        if self._owns_client:
            await _close_all(self._lanes)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _close_all(lanes: Lanes[AsyncLane]) -> None:
    for lane in lanes.built():
        await lane.aclose()
