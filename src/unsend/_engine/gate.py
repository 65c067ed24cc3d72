"""The gate every request of a canceller passes: a shared rate-limit pause, and optional pacing.

When any request is answered 429 with a wait, the gate closes until that instant, so the other
workers wait with it instead of each discovering the limit on its own. With ``max_rate`` the
gate also spaces requests ``1 / max_rate`` seconds apart. The gate only computes delays from the
injected clock; the clients do the sleeping.
"""

from __future__ import annotations

import math
import threading

__all__ = ["Gate"]


class Gate:
    def __init__(self, max_rate: float | None = None) -> None:
        if max_rate is not None and not (math.isfinite(max_rate) and max_rate > 0):
            raise ValueError(
                f"max_rate must be a positive number of requests per second, got {max_rate!r}"
            )
        self.interval = 1.0 / max_rate if max_rate else 0.0
        self._paused_until = 0.0
        self._next_slot = 0.0
        self._lock = threading.Lock()  # the sync client reserves from many threads

    def reserve(self, now: float) -> float:
        """Seconds this request must wait before it is sent (0 when it may go now)."""
        with self._lock:
            start = max(now, self._paused_until)
            if self.interval:
                start = max(start, self._next_slot)
                self._next_slot = start + self.interval
            return start - now

    def pause_until(self, moment: float) -> None:
        """Close the gate until ``moment`` (monotonic); a shorter pause never shortens it."""
        with self._lock:
            self._paused_until = max(self._paused_until, moment)

    @property
    def paused_until(self) -> float:
        return self._paused_until
