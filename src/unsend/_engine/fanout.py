"""``cancel_many``'s one implementation: an async fan-out both clients use.

A failure for one id becomes that id's result (``Outcome.FAILED`` with the error), so the stream
never ends early and no id is lost. Ids are consumed lazily: at most a small window of them is
held at any time, whatever the size of the input. A worker takes a slot before it starts an id
and the consumer gives it back only when it asks for the next result, so a consumer that stops
starts nothing new. The async client iterates the stream directly; the sync one drives it on a
private event loop (``LoopThread``).
"""

from __future__ import annotations

from collections.abc import (
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
    "fan_out",
    "aiter_ids",
    "check_concurrency",
    "failed_result",
    "window",
]

DEFAULT_CONCURRENCY = 32


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


async def aiter_ids(ids: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(ids, AsyncIterable):
        async for message_id in ids:
            yield message_id
    else:
        for message_id in ids:
            yield message_id


CancelOne = Callable[[str, int], Awaitable[CancelResult]]
"""Cancel one id on worker ``n``'s lane; a failure is returned as a FAILED result, not raised."""


async def fan_out(
    ids: Iterable[str] | AsyncIterable[str],
    cancel_one: CancelOne,
    *,
    concurrency: int,
    ordered: bool,
) -> AsyncIterator[CancelResult]:
    import asyncio

    inbox: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue(concurrency)
    outbox: asyncio.Queue[tuple[int, CancelResult] | BaseException | None] = asyncio.Queue()
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

    async def work(worker: int) -> None:
        while True:
            await slots.acquire()
            if (item := await inbox.get()) is None:
                break
            index, message_id = item
            await outbox.put((index, await cancel_one(message_id, worker)))
        await outbox.put(None)

    tasks = [asyncio.ensure_future(feed())]
    tasks += [asyncio.ensure_future(work(n)) for n in range(concurrency)]
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


def iterate_on(loop: LoopThread, stream: AsyncIterator[T]) -> Iterator[T]:
    """A sync iterator over ``stream``, which runs on ``loop``; closing it closes the stream.

    Each item is asked for only when the consumer wants it, so the stream's backpressure
    (and with it 'a consumer that stops starts nothing new') holds across the threads.
    """
    try:
        while True:
            try:
                yield loop.run(_anext(stream))
            except StopAsyncIteration:
                return
    finally:
        loop.run(_aclose(stream))


async def _anext(stream: AsyncIterator[T]) -> T:
    return await stream.__anext__()


async def _aclose(stream: AsyncIterator[Any]) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        await close()
