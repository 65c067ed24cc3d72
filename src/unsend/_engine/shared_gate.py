"""The gate a fleet shares: one provider limit across processes and machines, on ``limits``.

``rate_limit_storage`` is a ``limits`` storage URI (``redis://host:6379/0``, and whatever else
``limits`` supports). With it, ``max_rate`` is a moving window of that many requests in any
second for every process using the same provider account, and a 429's wait pauses them all.
The keys are ``unsend:<provider>:<fingerprint>``: a hash of the provider, its base URL and its
account (QStash's and Courier's token, OneSignal's app id), never the credential itself.

Sleeping stays unsend's: the gate only answers "wait this long" and the engine sleeps on its
injected clock, under the cancel's deadline. A pause is an instant on that clock's wall time;
the rate's moving window is ``limits``'s, on real time (a ``FakeClock`` does not move it).

If the storage fails (Redis stopped, unreachable, slow), each call gives up after
``STORAGE_TIMEOUT`` seconds, a warning is logged once, and the gate falls back to the
process's own pacing for ``RETRY_STORAGE_AFTER`` seconds before trying the storage again: a
cancel never hangs on Redis and no result is lost; only the fleet-wide limit is not held
while the storage is away.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Iterable
from typing import Any, Final

from .gate import Gate

__all__ = [
    "RETRY_STORAGE_AFTER",
    "Reservation",
    "STORAGE_TIMEOUT",
    "SharedGate",
    "is_shared",
    "scope_of",
]

Reservation = tuple[float, bool]
"""Seconds to wait, and whether to ask again after waiting (False: the slot is taken)."""
STORAGE_TIMEOUT: Final = 0.5
RETRY_STORAGE_AFTER: Final = 5.0
log = logging.getLogger("unsend")


def is_shared(uri: str | None) -> bool:
    """True for a storage other processes can see; ``memory://`` (the default) is this one's."""
    return uri is not None and not uri.startswith(("memory://", "async+memory://"))


def scope_of(name: str, base_url: str, account: Iterable[str]) -> str:
    """The key scope of a provider account: never the credential, only a hash of it."""
    digest = hashlib.sha256("\0".join([name, base_url, *account]).encode()).hexdigest()
    return f"{name}:{digest[:16]}"


def _rate_item(max_rate: float) -> Any:
    """``max_rate`` per second as a ``limits`` item: N per second, or 1 per ceil(1/rate) s."""
    from limits import RateLimitItemPerSecond

    if max_rate >= 1:
        return RateLimitItemPerSecond(math.floor(max_rate), 1)
    return RateLimitItemPerSecond(1, math.ceil(1 / max_rate))


def _async_uri(uri: str) -> str:
    return uri if uri.startswith("async+") else f"async+{uri}"


class SharedGate:
    def __init__(self, uri: str, scope: str, max_rate: float | None) -> None:
        self.uri = uri
        self.key = f"unsend:{scope}"
        self.pause_key = f"{self.key}:pause"
        self.item = _rate_item(max_rate) if max_rate else None
        self.fallback = Gate(max_rate)  # this process's own pacing while the storage is away
        self._down_until = 0.0
        self._warned = False  # one warning per gate, however long or often the storage is away
        self._lock = threading.Lock()
        self._sync: tuple[Any, Any] | None = None
        self._async: dict[int, tuple[Any, Any]] = {}

    def __repr__(self) -> str:
        return f"SharedGate({self.key!r})"  # the URI may hold a password

    # -- storage -----------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        if self.uri.split("://", 1)[0].endswith(("redis", "rediss")):
            return {
                "socket_timeout": STORAGE_TIMEOUT,
                "socket_connect_timeout": STORAGE_TIMEOUT,
            }
        return {}

    def _sync_parts(self) -> tuple[Any, Any]:
        with self._lock:
            if self._sync is None:
                from limits.storage import storage_from_string
                from limits.strategies import MovingWindowRateLimiter

                storage = storage_from_string(self.uri, **self._options())
                self._sync = (storage, MovingWindowRateLimiter(storage))
            return self._sync

    def _async_parts(self) -> tuple[Any, Any]:
        import asyncio

        loop = id(asyncio.get_running_loop())
        parts = self._async.get(loop)
        if parts is None:
            from limits.aio.strategies import MovingWindowRateLimiter
            from limits.storage import storage_from_string

            options = self._options()
            if options:  # redis: through redis-py's asyncio client, which unsend depends on
                options["implementation"] = "redispy"
            storage = storage_from_string(_async_uri(self.uri), **options)
            parts = self._async[loop] = (storage, MovingWindowRateLimiter(storage))
        return parts

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _went_down(self, error: BaseException) -> None:
        with self._lock:
            first = not self._warned
            self._warned = True
            self._down_until = time.monotonic() + RETRY_STORAGE_AFTER
        if first:
            log.warning(
                "unsend: rate-limit storage unavailable (%s); pacing this process alone "
                "for %.0f s, then trying it again",
                type(error).__name__,
                RETRY_STORAGE_AFTER,
            )

    def _local(self) -> Reservation:
        """This process's own slot: taken now, to be used after the wait."""
        return (self.fallback.reserve(time.monotonic()), False)

    # -- reserve: (seconds to wait, whether to ask again after waiting) -----------------------

    def reserve_sync(self, now: float) -> Reservation:
        """``now`` is the injected clock's wall time: a pause is an epoch instant."""
        if not self._available():
            return self._local()
        try:
            storage, limiter = self._sync_parts()
            left = float(storage.get(self.pause_key)) / 1000 - now
            if left > 0:
                return (left, True)
            if self.item is None or limiter.hit(self.item, self.key):
                return (0.0, False)
            reset = float(limiter.get_window_stats(self.item, self.key).reset_time)
            return (max(reset - time.time(), 0.001), True)
        except Exception as error:  # any storage failure: fall back, never hang
            self._went_down(error)
            return self._local()

    async def reserve_async(self, now: float) -> Reservation:
        if not self._available():
            return self._local()
        try:
            storage, limiter = self._async_parts()
            left = float(await storage.get(self.pause_key)) / 1000 - now
            if left > 0:
                return (left, True)
            if self.item is None or await limiter.hit(self.item, self.key):
                return (0.0, False)
            reset = float((await limiter.get_window_stats(self.item, self.key)).reset_time)
            return (max(reset - time.time(), 0.001), True)
        except Exception as error:  # any storage failure: fall back, never hang
            self._went_down(error)
            return self._local()

    # -- pause: close the gate for every process until an instant ----------------------------
    # The pause key holds that instant (epoch milliseconds, as the counter's value) and expires
    # a little after it; a later, longer pause replaces it, a shorter one never shortens it.

    def pause_sync(self, now: float, seconds: float) -> None:
        self.fallback.pause_until(time.monotonic() + seconds)
        if not self._available():
            return
        until = math.ceil((now + seconds) * 1000)
        try:
            storage, _ = self._sync_parts()
            if storage.get(self.pause_key) >= until:
                return
            storage.clear(self.pause_key)
            storage.incr(self.pause_key, math.ceil(seconds) + 1, amount=until)
        except Exception as error:
            self._went_down(error)

    async def pause_async(self, now: float, seconds: float) -> None:
        self.fallback.pause_until(time.monotonic() + seconds)
        if not self._available():
            return
        until = math.ceil((now + seconds) * 1000)
        try:
            storage, _ = self._async_parts()
            if await storage.get(self.pause_key) >= until:
                return
            await storage.clear(self.pause_key)
            await storage.incr(self.pause_key, math.ceil(seconds) + 1, amount=until)
        except Exception as error:
            self._went_down(error)
