"""Which of a canceller's small connection pools ("lanes") a request takes.

A single cancel takes the first lane with a free connection: sequential use stays on one warm
connection, concurrent use spreads over as many lanes as it needs. ``cancel_many`` workers each
keep one lane for their whole run (``fixed``). Lanes are built when first needed, so a canceller
used one cancel at a time holds one pool.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Lanes"]

C = TypeVar("C")


class Lanes(Generic[C]):
    def __init__(self, make: Callable[[], C], count: int, connections_per_lane: int) -> None:
        self._make = make
        self._clients: list[C | None] = [None] * count
        self._capacity = connections_per_lane
        self._busy = [0] * count
        self._lock = threading.Lock()
        self._turn = itertools.cycle(range(count))

    @classmethod
    def single(cls, client: C) -> Lanes[C]:
        """One lane around a client that already exists, shared without limit; ``built``
        lists it from the start, so whoever owns it closes it even if it was never used."""
        lanes = cls(lambda: client, 1, connections_per_lane=1 << 30)
        lanes._clients[0] = client
        return lanes

    def _client(self, index: int) -> C:
        client = self._clients[index]
        if client is None:
            client = self._clients[index] = self._make()
        return client

    def acquire(self) -> tuple[int, C]:
        """A lane with a free connection (or the next in turn if all are busy); release it."""
        with self._lock:
            index = next((i for i, busy in enumerate(self._busy) if busy < self._capacity), None)
            if index is None:
                index = next(self._turn)
            self._busy[index] += 1
            return index, self._client(index)

    def release(self, index: int) -> None:
        with self._lock:
            self._busy[index] -= 1

    def fixed(self) -> C:
        """A lane for one long-lived worker, taken in turn."""
        with self._lock:
            return self._client(next(self._turn))

    @property
    def first(self) -> C:
        with self._lock:
            return self._client(0)

    def built(self) -> list[C]:
        """The clients built so far (the ones to close)."""
        return [c for c in self._clients if c is not None]
