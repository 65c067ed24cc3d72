"""``Canceller`` and ``AsyncCanceller``: drivers that only send and sleep.

Every decision lives in the engine: a machine (``Call.steps``, ``cancel_steps``, ``bulk_steps``)
yields ``Send`` and ``Sleep`` steps; a driver performs each and hands back what happened. The
sync driver sends with an ``httpx.Client`` and sleeps with the clock; the async one awaits both.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Generator, Iterable, Iterator
from datetime import datetime
from itertools import islice
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self, TypeVar

import httpx

from ._engine.call import (
    Call,
    OnRetry,
    Reply,
    Sleep,
    Step,
    Stepper,
    cancel_call,
    cancel_steps,
    secrets_of,
)
from ._engine.clock import Clock, SystemClock
from ._engine.deadline import deadline_transport
from ._engine.fanout import (
    DEFAULT_CONCURRENCY,
    Stopped,
    aiter_ids,
    check_concurrency,
    failed_result,
    window,
)
from ._engine.gate import Gate
from ._engine.lanes import Lanes
from ._engine.retry import RetryPolicy
from ._engine.transport import AsyncLane, HttpxAsyncLane, send_sync
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
    import threading
    from concurrent.futures import Future

    from ._engine.bulk import BulkPlan
    from ._provider import SupportsBulkCancel
    from ._result import BulkAnswer

# asyncio and concurrent.futures are imported where cancel_many needs them: together they are
# a third of the import time of httpx, and most users of a canceller never call cancel_many.
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
    make = lambda: httpx.Client(transport=deadline_transport(limits=LANE_LIMITS, verify=tls))  # noqa: E731
    return Lanes(make, LANES, LANE_CONNECTIONS)


# aiohttp's pool does not rescan its connections per request: one session serves every task.
AIOHTTP_CONNECTIONS: Final = 256


def _async_lanes(client: httpx.AsyncClient | None) -> Lanes[AsyncLane]:
    """The caller's client; else unsend's aiohttp session; else small httpx pools."""
    from ._engine.aio import AiohttpLane, aiohttp_available

    if client is not None:
        return Lanes.single(HttpxAsyncLane(client))
    tls = httpx.create_ssl_context()
    if aiohttp_available():
        return Lanes.single(AiohttpLane(limit=AIOHTTP_CONNECTIONS, verify=tls))
    make = lambda: HttpxAsyncLane(httpx.AsyncClient(limits=LANE_LIMITS, verify=tls))  # noqa: E731
    return Lanes(make, LANES, LANE_CONNECTIONS)


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
        max_rate: float | None,
        owns_client: bool,
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
        max_rate: float | None = None,
    ) -> None:
        super().__init__(
            provider,
            timeout=timeout,
            retry=retry,
            clock=clock,
            on_retry=on_retry,
            max_rate=max_rate,
            owns_client=client is None,
        )
        self._lanes = _sync_lanes(client)

    @property
    def client(self) -> httpx.Client:
        """The HTTP client (the first lane, when unsend created its own)."""
        return self._lanes.first

    def cancel(self, message_id: str) -> CancelResult:
        """Cancel one message; returns its outcome or raises an ``UnsendError``."""
        steps = cancel_steps(self._call(message_id))
        lane, client = self._lanes.acquire()
        try:
            return self._run(steps, client)
        finally:
            self._lanes.release(lane)

    def cancel_many(
        self,
        ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        max_rate: float | None = None,
    ) -> Iterator[CancelResult]:
        """Cancel every id, ``concurrency`` at a time; yield one result per id as each completes.

        A failure for one id is yielded as its result (``Outcome.FAILED``, ``.error`` set); it
        never ends the stream. ``ordered=True`` yields in input order. ``max_rate`` spaces this
        call's requests (per second). Ids are read lazily.
        """
        import threading
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        check_concurrency(concurrency)
        pacer = Gate(max_rate) if max_rate is not None else None
        source = iter(ids)
        ahead = window(concurrency, ordered)
        pool = ThreadPoolExecutor(concurrency, thread_name_prefix="unsend-cancel")
        pending: deque[Future[CancelResult]] = deque()
        # Set when the consumer stops (break, close, garbage collection): no new request starts.
        stop = threading.Event()
        try:
            while True:
                for message_id in islice(source, ahead - len(pending)):
                    pending.append(pool.submit(self._cancel_or_fail, message_id, pacer, stop))
                if not pending:
                    return
                if ordered:
                    yield pending.popleft().result()
                    continue
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    pending.remove(future)
                    yield future.result()
        finally:
            stop.set()
            # Requests already sent finish their current attempt in the background.
            pool.shutdown(wait=False, cancel_futures=True)

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
        return self._run(steps, self._lanes.fixed())

    def cancel_ids(self, ids: Iterable[str], *, chunk: int = 100) -> BulkResult:
        """QStash: cancel these ids with the bulk endpoint, ``chunk`` ids per request."""
        return self._run(self._ids_steps(ids, chunk), self._lanes.fixed())

    def _cancel_or_fail(
        self, message_id: str, pacer: Gate | None, stop: threading.Event
    ) -> CancelResult:
        started = self.clock.monotonic()
        lane, client = self._lanes.acquire()
        try:
            return self._run(cancel_steps(self._call(message_id, pacer)), client, stop)
        except UnsendError as error:
            elapsed = self.clock.monotonic() - started
            return failed_result(self.provider.name, message_id, error, elapsed)
        finally:
            self._lanes.release(lane)

    def _run(
        self,
        steps: Generator[Step, Reply, T],
        lane: httpx.Client,
        stop: threading.Event | None = None,
    ) -> T:
        sleep: Callable[[float], object] = self.clock.sleep
        if stop is not None and isinstance(self.clock, SystemClock):
            sleep = stop.wait  # a consumer that stops wakes the waits at once
        stepper = Stepper(steps)
        reply: Reply = None
        while (step := stepper.next(reply)) is not None:
            reply = None
            if isinstance(step, Sleep):
                sleep(step.seconds)
            elif stop is not None and stop.is_set():
                raise Stopped(provider=self.provider.name)
            else:
                reply = send_sync(lane, step, self.clock)
        return stepper.result

    def close(self) -> None:
        """Close the HTTP clients if unsend created them."""
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

    Pass ``client`` to use your own ``httpx.AsyncClient``; unsend then never closes it. Safe to
    share between tasks. ``cancel`` runs on asyncio or trio; ``cancel_many`` on asyncio.
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
        max_rate: float | None = None,
    ) -> None:
        super().__init__(
            provider,
            timeout=timeout,
            retry=retry,
            clock=clock,
            on_retry=on_retry,
            max_rate=max_rate,
            owns_client=client is None,
        )
        self._lanes = _async_lanes(client)

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
            return await self._run(steps, client)
        finally:
            self._lanes.release(lane)

    async def cancel_many(
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
        import asyncio

        check_concurrency(concurrency)
        pacer = Gate(max_rate) if max_rate is not None else None
        inbox: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue(concurrency)
        outbox: asyncio.Queue[tuple[int, CancelResult] | BaseException | None] = asyncio.Queue()
        # A worker takes a slot before it starts an id; the consumer gives it back only when it
        # asks for the next result. A consumer that stops therefore starts nothing new.
        slots = asyncio.Semaphore(window(concurrency, ordered))

        async def feed() -> None:
            try:
                index = 0
                async for message_id in aiter_ids(ids):
                    await inbox.put((index, message_id))
                    index += 1
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # the id source failed: hand it to the consumer
                outbox.put_nowait(exc)
                return
            for _ in range(concurrency):  # only a source read to its end stops the workers
                await inbox.put(None)

        async def work(lane: AsyncLane) -> None:
            while True:
                await slots.acquire()
                if (item := await inbox.get()) is None:
                    break
                index, message_id = item
                await outbox.put((index, await self._cancel_or_fail(message_id, pacer, lane)))
            await outbox.put(None)

        tasks = [asyncio.ensure_future(feed())]
        tasks += [asyncio.ensure_future(work(self._lanes.fixed())) for _ in range(concurrency)]
        buffered: dict[int, CancelResult] = {}
        next_index = 0
        running = concurrency
        try:
            while running:
                item = await outbox.get()
                if item is None:
                    running -= 1
                    continue
                if isinstance(item, BaseException):
                    raise item
                index, result = item
                if not ordered:
                    yield result
                    slots.release()
                    continue
                buffered[index] = result
                while next_index in buffered:
                    yield buffered.pop(next_index)
                    next_index += 1
                    slots.release()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

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
        return await self._run(steps, self._lanes.fixed())

    async def cancel_ids(self, ids: Iterable[str], *, chunk: int = 100) -> BulkResult:
        """QStash: cancel these ids with the bulk endpoint, ``chunk`` ids per request."""
        return await self._run(self._ids_steps(ids, chunk), self._lanes.fixed())

    async def _cancel_or_fail(
        self, message_id: str, pacer: Gate | None, lane: AsyncLane
    ) -> CancelResult:
        started = self.clock.monotonic()
        try:
            return await self._run(cancel_steps(self._call(message_id, pacer)), lane)
        except UnsendError as error:
            elapsed = self.clock.monotonic() - started
            return failed_result(self.provider.name, message_id, error, elapsed)

    async def _run(self, steps: Generator[Step, Reply, T], lane: AsyncLane) -> T:
        stepper = Stepper(steps)
        reply: Reply = None
        while (step := stepper.next(reply)) is not None:
            reply = None
            if isinstance(step, Sleep):
                await self.clock.asleep(step.seconds)
            else:
                reply = await lane.send(step, self.clock)
        return stepper.result

    async def aclose(self) -> None:
        """Close the HTTP clients if unsend created them."""
        if self._owns_client:
            for lane in self._lanes.built():
                await lane.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
