"""The protocols users type against, so a fake or a wrapper can stand in for the real clients."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Protocol, runtime_checkable

from ._result import CancelResult

__all__ = ["SupportsAsyncCancel", "SupportsCancel"]


@runtime_checkable
class SupportsCancel(Protocol):
    """What ``Canceller`` offers: cancel one message or many, and close."""

    def cancel(self, message_id: str) -> CancelResult: ...
    def cancel_many(
        self,
        ids: Iterable[str],
        *,
        concurrency: int = ...,
        ordered: bool = ...,
        max_rate: float | None = ...,
    ) -> Iterator[CancelResult]: ...
    def close(self) -> None: ...


@runtime_checkable
class SupportsAsyncCancel(Protocol):
    """What ``AsyncCanceller`` offers: cancel one message or many, and close."""

    async def cancel(self, message_id: str) -> CancelResult: ...
    def cancel_many(
        self,
        ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = ...,
        ordered: bool = ...,
        max_rate: float | None = ...,
    ) -> AsyncIterator[CancelResult]: ...
    async def aclose(self) -> None: ...
