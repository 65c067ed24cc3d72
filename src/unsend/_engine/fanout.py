"""``cancel_many``'s one implementation: an async fan-out both clients use.

A failure for one id becomes that id's result (``Outcome.FAILED`` with the error), so the stream
never ends early and no id is lost. An exception that is not a cancel's failure (the caller's
``on_result`` or ``on_retry`` raised, an id's ``repr`` raised, the id source broke) never hangs
the stream: nothing new starts, the ids already started finish and are yielded, and then the
stream raises it. Ids are consumed lazily: at most a small window of them is
held at any time, whatever the size of the input. A worker takes a slot before it starts an id
and the consumer gives it back only when it asks for the next result, so a consumer that stops
starts nothing new. The async client iterates the stream directly; the sync one drives it on a
private event loop (``LoopThread``).
"""

from __future__ import annotations

from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
)
from typing import TYPE_CHECKING, Any, TypeVar

from .._errors import UnsendError
from .._result import CancelResult, Outcome

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

# asyncio, threading and concurrent.futures load when a fan-out first runs: together they cost a
# third of httpx's import time, and most users of a canceller never call cancel_many.

__all__ = [
    "DEFAULT_CONCURRENCY",
    "LoopThread",
    "FanOut",
    "InOrder",
    "iterate_on",
    "aiter_ids",
    "check_concurrency",
    "failed_result",
    "window",
]

DEFAULT_CONCURRENCY = 32
Ids = Iterable[str] | AsyncIterable[str]


def check_concurrency(concurrency: int) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an integer >= 1, got {concurrency!r}")
    return concurrency


def window(concurrency: int, ordered: bool) -> int:
    """How many ids may be started ahead of the results yielded.

    Unordered, that is the concurrency itself: when the consumer stops, no id beyond those in
    flight has been started. Ordered output buffers results behind a slow id; the larger window
    bounds that buffer.
    """
    return concurrency * (4 if ordered else 1)


def failed_result(
    provider: str, message_id: object, error: UnsendError, elapsed: float
) -> CancelResult:
    return CancelResult(
        provider=provider,
        message_id=message_id if isinstance(message_id, str) else repr(message_id),
        outcome=Outcome.FAILED,
        status_code=error.status_code,
        detail=str(error),
        attempts=error.attempts,
        elapsed=elapsed,
        error=error,
    )


async def aiter_ids(ids: Ids) -> AsyncIterator[str]:  # pragma: no mutate block
    if isinstance(ids, AsyncIterable):
        async for message_id in ids:
            yield message_id
    else:
        for message_id in ids:
            yield message_id


CancelOne = Callable[[str, int], Awaitable[CancelResult]]
"""Cancel one id on worker ``n``'s lane; a failure is returned as a FAILED result, not raised."""


class FanOut:
    """One ``cancel_many`` in progress: workers, the id feed, and the slots between them.

    ``stream()`` is what the async client returns: it gives a slot back each time its consumer
    asks for the next result. ``pump(put)`` is what the sync client runs on its private loop:
    it hands every result to ``put`` (a thread-safe queue) and leaves the slots to the
    consumer thread, which gives them back with ``release`` as it takes results.
    """

    def __init__(
        self,
        ids: Iterable[str] | AsyncIterable[str],
        cancel_one: CancelOne,
        *,
        concurrency: int,
        ordered: bool,
        cleanup: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.ids = ids
        self.cancel_one = cancel_one
        self.concurrency = concurrency
        self.ordered = ordered
        self.cleanup = cleanup
        """Awaited once the fan-out ends, however it ends: what it opened for itself."""

    async def stream(self) -> AsyncIterator[CancelResult]:  # pragma: no mutate block
        results = self._results()
        try:
            async for result in results:
                yield result
                self.release(1)
        finally:
            await results.aclose()

    async def pump(self, put: Callable[[object], None]) -> None:
        try:
            async for result in self._results():
                put(result)
        except BaseException as exc:
            put(_Failure(exc))
            raise
        put(_END)

    def release(self, count: int) -> None:
        for _ in range(count):
            self._slots.release()

    async def _results(self) -> AsyncGenerator[CancelResult, None]:  # pragma: no mutate block
        # A shell only: its logic is _Run's, in plain coroutines (see _Run).
        run = self._start()
        try:
            while (ready := await run.next()) is not None:
                for result in ready:
                    yield result
            for result in run.held_behind_a_failure():
                yield result
            run.raise_failure()
        finally:
            await run.close()

    def _start(self) -> _Run:
        import asyncio

        self._slots = asyncio.Semaphore(window(self.concurrency, self.ordered))
        return _Run(self, self._slots)


class _Run:
    """One fan-out's tasks (an id feed and ``concurrency`` workers) and the queues between
    them: ``next`` waits for the results that may go out, ``close`` ends the tasks.

    Written as coroutines, not inside the async generator that yields the results, so that
    mutation testing can wrap each of them (its wrapper around an async generator breaks
    ``aclose``).
    """

    def __init__(self, fan: FanOut, slots: asyncio.Semaphore) -> None:
        import asyncio

        self.fan = fan
        self.slots = slots
        self.inbox: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue(fan.concurrency)
        self.outbox: asyncio.Queue[tuple[int, CancelResult] | BaseException | _WorkerError | None]
        self.outbox = asyncio.Queue()
        self.stopping = asyncio.Event()
        self.order = InOrder(fan.ordered)
        self.running = fan.concurrency
        self.failure: BaseException | None = None
        self.tasks = [asyncio.ensure_future(self.feed())]
        self.tasks += [asyncio.ensure_future(self.work(n)) for n in range(fan.concurrency)]

    async def feed(self) -> None:
        import asyncio

        try:
            index = 0
            async for message_id in aiter_ids(self.fan.ids):
                await self.inbox.put((index, message_id))
                index += 1
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # the id source failed: hand it to the consumer
            self.outbox.put_nowait(exc)
            return
        for _ in range(self.fan.concurrency):  # only a source read to its end stops the workers
            await self.inbox.put(None)

    async def work(self, worker: int) -> None:
        import asyncio

        # Every way out of this loop posts the worker's end (None) or its error: the consumer
        # counts workers, so one that left silently would make it wait forever.
        try:
            while not self.stopping.is_set():
                await self.slots.acquire()
                item = None if self.stopping.is_set() else await self.inbox.get()
                if item is None or self.stopping.is_set():
                    self.slots.release()  # not used for an id: the other workers may need it
                    break
                index, message_id = item
                await self.outbox.put((index, await self.fan.cancel_one(message_id, worker)))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self.stopping.set()
            self.outbox.put_nowait(_WorkerError(exc))
            return
        await self.outbox.put(None)

    async def next(self) -> list[CancelResult] | None:
        """The results that may go out now, or None once every worker has ended; raises what
        broke the id source."""
        # At most ``concurrency`` workers each end once (None or an error): the loop ends.
        while self.running:
            item = await self.outbox.get()
            if item is None:
                self.running -= 1
                continue
            if isinstance(item, _WorkerError):
                self.running -= 1
                self.failure = self.failure or item.error
                self.fan.release(self.fan.concurrency)  # workers waiting for a slot see the stop
                self.wake_getters()
                continue
            if isinstance(item, BaseException):
                raise item
            if ready := self.order.ready(*item):
                return ready
        return None

    def wake_getters(self) -> None:
        """Workers waiting for an id see the stop now, not when the source next yields (an
        async source may not yield again for a long time, or ever)."""
        import asyncio

        for _ in range(self.fan.concurrency):
            try:
                self.inbox.put_nowait(None)
            except asyncio.QueueFull:  # full: then nobody is waiting for an id
                return

    def held_behind_a_failure(self) -> list[CancelResult]:
        """After a worker failed, the results held behind an id that never finished (without a
        failure every id finished, and none is held)."""
        return self.order.rest()

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    async def close(self) -> None:
        import asyncio

        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.fan.cleanup is not None:
            await self.fan.cleanup()


class InOrder:
    """Results as they come, or (``ordered``) held until every earlier index has gone out."""

    def __init__(self, ordered: bool) -> None:
        self.ordered = ordered
        self.held: dict[int, CancelResult] = {}
        self.next = 0

    def ready(self, index: int, result: CancelResult) -> list[CancelResult]:
        """What may go out now that ``result`` (the ``index``-th id's) is in."""
        if not self.ordered:
            return [result]
        self.held[index] = result
        out = []
        while self.next in self.held:
            out.append(self.held.pop(self.next))
            self.next += 1
        return out

    def rest(self) -> list[CancelResult]:
        """Results held behind an id that never finished: they still go out, in order."""
        return [self.held.pop(index) for index in sorted(self.held)]


class _WorkerError:
    """A worker's end by an exception that is not a cancel's failure."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


T = TypeVar("T")


class LoopThread:
    """A private event loop on a daemon thread: where the sync client's fan-out runs."""

    def __init__(self) -> None:
        import asyncio
        import threading

        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="unsend-loop", daemon=True
        )
        self._thread.start()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.submit(coroutine).result()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


def iterate_on(loop: LoopThread, fan: FanOut) -> Iterator[CancelResult]:
    """The fan-out run on ``loop``, its results taken here; closing this stops it there.

    Slots go back in small batches as results are taken, never ahead of them, so a consumer
    that stops still starts nothing new; a result crosses the threads through a
    ``queue.SimpleQueue`` instead of a round trip per item.
    """
    import queue

    handed: queue.SimpleQueue[object] = queue.SimpleQueue()
    pumping = loop.run(_start(fan.pump(handed.put)))
    batch = max(1, fan.concurrency // 8)
    taken = 0
    try:
        while (item := handed.get()) is not _END:
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
            taken += 1
            if taken == batch:
                loop.loop.call_soon_threadsafe(fan.release, taken)
                taken = 0
    finally:
        loop.run(_stop(pumping))


async def _start(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    import asyncio

    return asyncio.ensure_future(coroutine)


async def _stop(task: asyncio.Task[None]) -> None:
    """Cancel the pump (its workers with it) and wait until they are gone."""
    import asyncio

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
