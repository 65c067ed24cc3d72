"""The sync clients' ``cancel_many`` on httpx, their default: worker threads, no event loop.

The same promises as the async fan-out (``fanout``), kept with threads: a failure for one id is
its result; ids are read lazily under a lock, at most a window of them ahead of the results
taken; a worker takes a slot before it starts an id and the consumer gives it back only when it
asks for the next result, so a consumer that stops starts nothing new. An exception that is not
a cancel's failure (the caller's hook raised, an id's ``repr`` raised, the id source broke)
stops the workers from starting anything new; what was started is yielded, then the stream
raises it.

Threads cannot be cancelled: when the consumer stops, the workers end after the cancel they are
in, which its deadline bounds. Every way out of a worker posts its end, so the consumer's wait
ends once each of the ``concurrency`` workers has ended.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable

from .._result import CancelResult
from .fanout import InOrder, window

__all__ = ["Stopped", "threaded_fan_out"]

CancelOneSync = Callable[[str, int], CancelResult]
"""Cancel one id on worker ``n``'s client; a failure is returned as a FAILED result."""


class Stopped(Exception):
    """Raised by a ``cancel_one`` that finds the stream stopped before it sends (it waited for a
    provider's slot, say): the id is dropped unsent, as the async fan-out's cancelled task is."""


class _WorkerError:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def threaded_fan_out(
    ids: Iterable[str],
    cancel_one: CancelOneSync,
    *,
    concurrency: int,
    ordered: bool,
    stopping: threading.Event | None = None,
) -> Generator[CancelResult, None, None]:
    """``stopping``: set when the stream stops, for a ``cancel_one`` that may wait before it
    sends to check (and raise ``Stopped``)."""
    slots = threading.Semaphore(window(concurrency, ordered))
    stopping = stopping if stopping is not None else threading.Event()
    outbox: queue.SimpleQueue[tuple[int, CancelResult] | _WorkerError | None] = queue.SimpleQueue()
    source = iter(ids)
    source_lock = threading.Lock()
    taken = [0]  # ids read from the source so far: the next one's index

    def next_id() -> tuple[int, str] | None:
        with source_lock:
            if stopping.is_set():
                return None
            for message_id in source:
                taken[0] += 1
                return taken[0] - 1, message_id
            return None

    def work(worker: int) -> None:
        try:
            while not stopping.is_set():
                slots.acquire()
                item = next_id()
                if item is None:
                    slots.release()  # not used for an id: another worker may need it
                    break
                index, message_id = item
                outbox.put((index, cancel_one(message_id, worker)))
        except BaseException as exc:  # the id source, a hook, a repr: the consumer raises it
            stopping.set()
            outbox.put(_WorkerError(exc))
            return
        outbox.put(None)

    def stop() -> None:
        stopping.set()
        slots.release(concurrency)  # workers waiting for a slot see the stop

    threads = [
        threading.Thread(target=work, args=(n,), name=f"unsend-cancel-{n}", daemon=True)
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    order = InOrder(ordered)
    running = concurrency
    failure: BaseException | None = None
    try:
        while running:
            item = outbox.get()
            if item is None:
                running -= 1
                continue
            if isinstance(item, _WorkerError):
                running -= 1
                failure = failure or item.error
                stop()
                continue
            for result in order.ready(*item):
                yield result
                slots.release()
        if failure is not None:
            yield from order.rest()
            raise failure
    finally:
        stop()
