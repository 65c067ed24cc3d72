"""Where a sync client's fan-out runs: a private event loop and the async lanes it sends on.

The loop (a daemon thread) starts on first use and stops on ``close``. Without a caller's
client the lanes are unsend's own async ones (aiohttp); with a caller's sync ``httpx.Client``
each send runs on a thread of a pool sized to the fan-out, since that client only sends from
threads. ``Canceller`` and ``Router`` both fan out through one of these.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import httpx

from .._result import CancelResult
from .lanes import Lanes
from .transport import AsyncLane

if TYPE_CHECKING:
    from .fanout import FanOut, LoopThread

__all__ = ["SyncFanOutHost"]


class SyncFanOutHost:
    def __init__(
        self, client: httpx.Client | None, owned_lanes: Callable[[], Lanes[AsyncLane]]
    ) -> None:
        self._client = client
        self._owned_lanes = owned_lanes
        self._loop: LoopThread | None = None
        self._lanes: Lanes[AsyncLane] | None = None
        self._lock = threading.Lock()

    def run(
        self, make: Callable[[Callable[[int], AsyncLane]], FanOut], concurrency: int
    ) -> Generator[CancelResult, None, None]:
        """Results of the fan-out ``make(lane_of_worker)`` builds, taken here as they come."""
        from .fanout import iterate_on

        loop, lanes = self._place()
        pool = None
        if self._client is not None:
            from concurrent.futures import ThreadPoolExecutor

            from .transport import ThreadedLane

            pool = ThreadPoolExecutor(concurrency, thread_name_prefix="unsend-cancel")
            lanes = Lanes.single(ThreadedLane(self._client, pool))
        assert lanes is not None
        fixed = lanes.fixed
        fan = make(lambda _: fixed())
        try:
            yield from iterate_on(loop, fan)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _place(self) -> tuple[LoopThread, Lanes[AsyncLane] | None]:
        from .fanout import LoopThread

        with self._lock:
            if self._loop is None:
                self._loop = LoopThread()
                if self._client is None:
                    self._lanes = self._owned_lanes()
            return self._loop, self._lanes

    def close(self) -> None:
        with self._lock:
            loop, lanes, self._loop, self._lanes = self._loop, self._lanes, None, None
        if loop is not None:
            if lanes is not None:
                loop.run(close_lanes(lanes))
            loop.close()


async def close_lanes(lanes: Lanes[AsyncLane]) -> None:
    for lane in lanes.built():
        await lane.aclose()
