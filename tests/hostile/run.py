"""One real cancel (sync or async, real clock, real sockets), timed, with whatever escaped."""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx

import unsend


def timed_cancel(
    mode: str,
    provider: unsend.Provider,
    message_id: str = "msg_1",
    *,
    client: Any = None,
    **kwargs: Any,
) -> tuple[float, unsend.CancelResult | BaseException]:
    """Run one cancel; return the seconds it took and its result or the exception raised."""
    started = time.monotonic()
    try:
        if mode == "sync":
            with unsend.Canceller(provider, client=client, **kwargs) as canceller:
                outcome: Any = canceller.cancel(message_id)
        else:

            async def main() -> unsend.CancelResult:
                async with unsend.AsyncCanceller(provider, client=client, **kwargs) as c:
                    return await c.cancel(message_id)

            outcome = anyio.run(main)
    except BaseException as exc:  # the tests inspect what escaped
        outcome = exc
    return time.monotonic() - started, outcome


def user_client(mode: str, **kwargs: Any) -> httpx.Client | httpx.AsyncClient:
    return httpx.Client(**kwargs) if mode == "sync" else httpx.AsyncClient(**kwargs)
