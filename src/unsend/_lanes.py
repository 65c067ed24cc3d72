"""Which of a canceller's small connection pools ("lanes") a request takes.

A single cancel takes the first lane with a free connection: sequential use stays on one warm
connection, concurrent use spreads over as many lanes as it needs. ``cancel_many`` workers each
keep one lane for their whole run (``fixed``).
"""

from __future__ import annotations

import itertools
import threading
from typing import Generic, TypeVar

__all__ = ["Lanes"]

C = TypeVar("C")


class Lanes(Generic[C]):
    def __init__(self, clients: list[C], connections_per_lane: int) -> None:
        self.clients = clients
        self._capacity = connections_per_lane
        self._busy = [0] * len(clients)
        self._lock = threading.Lock()
        self._turn = itertools.cycle(range(len(clients)))

    def acquire(self) -> int:
        """The index of a lane with a free connection (or the next in turn if all are busy)."""
        with self._lock:
            index = next((i for i, busy in enumerate(self._busy) if busy < self._capacity), None)
            if index is None:
                index = next(self._turn)
            self._busy[index] += 1
            return index

    def release(self, index: int) -> None:
        with self._lock:
            self._busy[index] -= 1

    def fixed(self) -> C:
        """A lane for one long-lived worker, taken in turn."""
        with self._lock:
            return self.clients[next(self._turn)]
