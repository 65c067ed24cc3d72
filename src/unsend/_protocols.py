"""The protocols users type against, so a fake or a wrapper can stand in for the real clients."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ._result import CancelResult

__all__ = ["SupportsAsyncCancel", "SupportsCancel"]


@runtime_checkable
class SupportsCancel(Protocol):
    """What ``Canceller`` offers: cancel one message, and close."""

    def cancel(self, message_id: str) -> CancelResult: ...
    def close(self) -> None: ...


@runtime_checkable
class SupportsAsyncCancel(Protocol):
    """What ``AsyncCanceller`` offers: cancel one message, and close."""

    async def cancel(self, message_id: str) -> CancelResult: ...
    async def aclose(self) -> None: ...
