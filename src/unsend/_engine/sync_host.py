"""Where a sync client's fan-out runs when aiohttp was chosen: a private event loop.

aiohttp sends from asyncio only, so ``transport="aiohttp"`` drives the async fan-out on a loop
of its own (a daemon thread), started on first use and stopped on ``close``. The default
(httpx) needs none of this: its fan-out is threads over the sync pools (``threads``).
``Canceller`` and ``Router`` both fan out through one of these.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

from .._result import CancelResult
from .lanes import Lanes
from .transport import AsyncLane

if TYPE_CHECKING:
    from .fanout import FanOut, LoopThread

__all__ = ["SyncFanOutHost", "close_lanes"]


class SyncFanOutHost:
    def __init__(self, owned_lanes: Callable[[], Lanes[AsyncLane]]) -> None:
        self._owned_lanes = owned_lanes
        self._loop: LoopThread | None = None
        self._lanes: Lanes[AsyncLane] | None = None
        self._lock = threading.Lock()

    def run(
        self, make: Callable[[Callable[[int], AsyncLane]], FanOut]
    ) -> Generator[CancelResult, None, None]:
        """Results of the fan-out ``make(lane_of_worker)`` builds, taken here as they come."""
        from .fanout import iterate_on

        loop, lanes = self._place()
        fixed = lanes.fixed
        yield from iterate_on(loop, make(lambda _: fixed()))

    def _place(self) -> tuple[LoopThread, Lanes[AsyncLane]]:
        from .fanout import LoopThread

        with self._lock:
            if self._loop is None or self._lanes is None:
                self._loop = LoopThread()
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
