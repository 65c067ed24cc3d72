"""What ``cancel_many`` shares between the sync and async clients.

A failure for one id becomes that id's result (``Outcome.FAILED`` with the error), so the stream
never ends early and no id is lost. Ids are consumed lazily: at most a small window of them is
held at any time, whatever the size of the input.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable

from .._errors import UnsendError
from .._result import CancelResult, Outcome

__all__ = [
    "DEFAULT_CONCURRENCY",
    "Stopped",
    "aiter_ids",
    "check_concurrency",
    "failed_result",
    "window",
]

DEFAULT_CONCURRENCY = 32


class Stopped(UnsendError):
    """The consumer of ``cancel_many`` stopped: the cancel is dropped before its next request."""

    def __init__(self, **where: object) -> None:
        super().__init__("cancel_many was closed before this request", **where)  # type: ignore[arg-type]


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
