"""Celery: a task that cancels a chunk, and a helper that fans a large iterable out over it.

::

    from unsend.fleet.celery import cancel_in_chunks

    for result in cancel_in_chunks(ids, chunk_size=500):      # on any Celery client
        print(result.ref, result.outcome)

Workers import this module (``celery -A yourapp worker`` with ``imports=["unsend.fleet.celery"]``,
or ``include=``) and read their provider configuration from their environment. The task is
``acks_late`` with ``reject_on_worker_lost``: a chunk whose worker died is delivered again and
re-cancels harmlessly. ``cancel_in_chunks`` yields exactly one result per id, however often a
chunk ran: a task has one stored result, and an id already reported is never reported again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import zip_longest
from typing import Any

from celery import Celery, shared_task
from celery.result import AsyncResult

from .._engine.fanout import failed_result
from .._errors import ConfigError, UnsendError
from .._result import CancelResult
from ._chunks import cancel_chunk, chunked

__all__ = ["TASK_NAME", "cancel_chunk_task", "cancel_in_chunks"]

TASK_NAME = "unsend.cancel_chunk"
POLL = 0.02


@shared_task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True)
def cancel_chunk_task(
    items: list[str], concurrency: int = 32, confirm: bool = False
) -> list[dict[str, Any]]:
    """Cancel one chunk with the worker's configured canceller; JSON results, one per item."""
    return cancel_chunk(items, concurrency=concurrency, confirm=confirm)


def cancel_in_chunks(
    items: Iterable[str],
    *,
    chunk_size: int = 500,
    app: Celery | None = None,
    in_flight: int = 16,
    concurrency: int = 32,
    timeout: float | None = None,
    confirm: bool = False,
) -> Iterator[CancelResult]:
    """Dispatch ``items`` in chunks and stream their results back as chunks finish.

    At most ``in_flight`` chunks are queued at once (the input is read lazily). A chunk whose
    task failed, or that did not finish within ``timeout`` seconds of being sent, yields a
    ``FAILED`` result for each of its ids that was not reported yet. An app without a result
    backend is refused here, before any chunk is sent (``ConfigError``): the results could not
    be read back. ``confirm=True``: each worker reads its messages back after cancelling.
    """
    task = cancel_chunk_task if app is None else app.tasks[TASK_NAME]
    _check_backend(task.app)
    return _stream(task, items, chunk_size, in_flight, concurrency, timeout, confirm)


def _check_backend(app: Celery) -> None:
    from celery.backends.base import DisabledBackend

    if isinstance(app.backend, DisabledBackend):
        raise ConfigError(
            "cancel_in_chunks reads every chunk's results back, and this Celery app has no "
            "result backend: set result_backend (or backend= on Celery(...)), such as "
            "redis://redis:6379/0 (docs/scale-out.md has a complete app)"
        )


def _stream(
    task: Any,
    items: Iterable[str],
    chunk_size: int,
    in_flight: int,
    concurrency: int,
    timeout: float | None,
    confirm: bool = False,
) -> Iterator[CancelResult]:
    chunks = chunked(items, chunk_size)
    pending: dict[str, tuple[AsyncResult[Any], list[str], float]] = {}
    reported: set[str] = set()
    exhausted = False

    def fill() -> None:
        nonlocal exhausted
        while not exhausted and len(pending) < in_flight:
            chunk = next(chunks, None)
            if chunk is None:
                exhausted = True
                return
            # Only when asked: a worker of an earlier version takes two arguments.
            args = (chunk, concurrency, True) if confirm else (chunk, concurrency)
            sent = task.apply_async(args=args)
            pending[sent.id] = (sent, chunk, time.monotonic())

    fill()
    while pending:
        finished = []
        for task_id, (sent, chunk, started) in pending.items():
            late = timeout is not None and time.monotonic() - started > timeout
            if sent.ready() or late:
                finished.append(task_id)
                yield from _results(sent, chunk, reported, late)
        for task_id in finished:
            pending[task_id][0].forget()
            del pending[task_id]
        fill()
        if not finished and pending:
            time.sleep(POLL)


def _results(
    sent: AsyncResult[Any], chunk: list[str], reported: set[str], late: bool
) -> Iterator[CancelResult]:
    """The chunk's results, item by item (``cancel_chunk`` answers in input order)."""
    results: list[CancelResult] = []
    if not late and sent.successful():
        try:
            results = [CancelResult.from_dict(data) for data in sent.get(propagate=False)]
        except (TypeError, ValueError):
            results = []
    if len(results) != len(chunk):  # not an answer to this chunk: every item failed
        results = []
    why = "did not finish in time" if late else f"failed: {type(sent.result).__name__}"
    for item, result in zip_longest(chunk, results):
        if item in reported:
            continue  # an id is reported once, however often its chunk ran
        reported.add(item)
        yield result or failed_result("", item, UnsendError(f"the chunk's task {why}"), 0.0)
