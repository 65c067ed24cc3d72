"""Time as the clients see it: injectable, so retries are tested without real waiting."""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock", "default_clock", "set_default_clock"]


class Clock(Protocol):
    """Monotonic time for deadlines, wall time for HTTP dates, and the two ways to sleep."""

    def monotonic(self) -> float: ...
    def time(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        import anyio  # loaded with httpx's async stack; sync users never need it

        await anyio.sleep(seconds)


class FakeClock:
    """A clock that only moves when slept on or advanced; it records every sleep.

    ``sleeps`` lists the waits asked for, in order, so a test can assert them exactly. Its wall
    time starts at the real time (or ``wall_start``), so epoch headers from a live server, such
    as QStash's ``Burst-RateLimit-Reset``, give the waits they mean.
    """

    def __init__(self, start: float = 1_000.0, wall_start: float | None = None) -> None:
        self._now = start
        self._wall_offset = (time.time() if wall_start is None else wall_start) - start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._now + self._wall_offset

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._now += seconds
        import anyio.lowlevel

        await anyio.lowlevel.checkpoint()


_default: Clock | None = None


def default_clock() -> Clock:
    """The clock of a canceller built without ``clock=``: the real one, unless a test replaced
    it (``unsend.testing.default_clock``) for code that builds its own from configuration."""
    return SystemClock() if _default is None else _default


def set_default_clock(clock: Clock | None) -> Clock | None:
    """Make ``clock`` the default (None: the real clock again); returns the one it replaced."""
    global _default
    previous, _default = _default, clock
    return previous
