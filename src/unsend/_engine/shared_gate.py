"""The gate a fleet shares: one provider limit and one 429 pause across processes, on Redis.

``rate_limit_storage`` is a Redis URL (``redis://host:6379/0``, ``rediss://``, ``unix://``).
Each operation is one atomic script on the server:

- **reserve** takes the fleet's next slot. Requests are spaced ``1 / max_rate`` apart fleet-wide
  (the generic cell rate algorithm, without a burst): a request may start at the latest of now,
  the pause's end and the slot after the last one taken. The slot is taken only if that start is
  within the caller's deadline, so a cancel that cannot wait never holds a slot others could use.
- **pause** closes the gate until an instant: a later instant replaces it, an earlier one never
  shortens it, instants never add up, and the key expires with the pause. A pause is at most
  ``max_pause`` seconds (``MAX_PAUSE`` by default) and at most the time left in the cancel that
  saw the 429: a provider's "retry after ten years" fails that cancel, and does not lock the
  fleet out.

Time is the injected clock's wall time in milliseconds, passed by each process (so tests drive
the gate with a ``FakeClock``); processes on different machines should keep their clocks in
sync, as for any distributed rate limit.

Keys are ``unsend:<provider>:<fingerprint>:{slot,pause}``. The fingerprint is scrypt of the
provider, its base URL and its account (a token, an app id): a slow derivation, so reading the
keys out of Redis does not let anyone check a guessed token cheaply. It is computed once per
account per process.

If the storage fails or is slow (Redis stopped, unreachable, answering late), the gate falls
back to this process's own pacing for ``RETRY_STORAGE_AFTER`` seconds, then tries it again; a
warning is logged once per outage per process, and an answer in time ends the outage. A storage
call never runs past the cancel's deadline: it is skipped when less than twice
``STORAGE_TIMEOUT`` (a connect and an answer) is left, a call is given up on once that time
has passed however the storage answers (even a byte at a time), and a storage failure is never
reported as the provider's. Outages are measured on real
time (``timer``, ``time.monotonic`` unless a test gives its own): a storage is slow or back in
seconds of the machine, whatever clock the cancels run on.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor as Workers
from typing import Any, Final, NamedTuple, TypeVar

from .._errors import ConfigError
from .clock import Clock
from .gate import Gate

__all__ = [
    "MAX_PAUSE",
    "RETRY_STORAGE_AFTER",
    "SCHEMES",
    "SLOW_STORAGE",
    "STORAGE_TIMEOUT",
    "SharedGate",
    "check_storage_uri",
    "is_shared",
    "scope_of",
]

STORAGE_TIMEOUT: Final = 0.5
"""The longest one storage call may take (connect or answer) before it counts as failed."""
SLOW_STORAGE: Final = 0.25
"""A storage call answered later than this is taken as the storage being down."""
RETRY_STORAGE_AFTER: Final = 5.0
MAX_PAUSE: Final = 300.0
"""The longest a 429 pauses the fleet, whatever the provider asked (``max_pause`` changes it)."""
SCHEMES: Final = ("redis", "rediss", "unix")
LOCAL_SCHEMES: Final = ("memory", "async+memory")
log = logging.getLogger("unsend")
T = TypeVar("T")


class _Eval(NamedTuple):
    """One script for the storage to run atomically: what an operation asks of its runner."""

    text: str
    keys: list[str]
    args: list[str]


# KEYS: slot, pause. ARGV: now (ms), interval (ms, 0 without max_rate), latest start (ms).
# Returns {start (ms, as text), 1 if the slot was taken else 0}.
RESERVE: Final = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local latest = tonumber(ARGV[3])
local start = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
if interval > 0 then
  start = math.max(start, tonumber(redis.call('GET', KEYS[1]) or '0'))
end
if start > latest then
  return {string.format('%.3f', start), 0}
end
if interval > 0 then
  local next_slot = start + interval
  local ttl = math.ceil(next_slot - now) + 1000
  redis.call('SET', KEYS[1], string.format('%.3f', next_slot), 'PX', ttl)
end
return {string.format('%.3f', start), 1}
"""
# KEYS: pause. ARGV: until (ms), time to live (ms). Never shortens, never adds.
PAUSE: Final = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 0
"""


def _scheme(uri: str) -> str:
    return uri.partition("://")[0].lower()


def check_storage_uri(uri: object, key: str = "rate_limit_storage") -> str:
    """``uri`` if it names a storage unsend shares a limit on, else ``ConfigError`` (a typo
    such as ``reddis://`` is refused here, never run unshared)."""
    if not isinstance(uri, str) or "://" not in uri:
        raise ConfigError(f"{key} must be a Redis URL such as redis://host:6379/0")
    scheme = _scheme(uri)
    if scheme not in (*SCHEMES, *LOCAL_SCHEMES):
        import difflib

        known = ", ".join(f"{s}://" for s in (*SCHEMES, "memory"))
        message = f"{key}: unknown scheme {scheme + '://'!r}; use one of {known}"
        if close := difflib.get_close_matches(scheme, [*SCHEMES, "memory"]):
            message += f" (did you mean {close[0] + '://'!r}?)"  # the closest of them
        raise ConfigError(message)
    return uri


def is_shared(uri: str) -> bool:
    """True for a checked storage URI other processes can see; ``memory://`` is this one's."""
    return _scheme(uri) in SCHEMES


@functools.lru_cache(maxsize=64)
def _fingerprint(name: str, base_url: str, account: tuple[str, ...]) -> str:
    # scrypt (16 MiB, a few tens of ms): cheap once per account, dear for each guess.
    salt = f"unsend-gate-v1\0{name}\0{base_url}".encode()
    secret = "\0".join(account).encode()
    return hashlib.scrypt(secret, salt=salt, n=1 << 14, r=8, p=1, dklen=12).hex()


def _ms(seconds: float) -> str:
    """An instant or a span in milliseconds, to the microsecond, as the scripts take it."""
    return f"{seconds * 1000:.3f}"


def scope_of(name: str, base_url: str, account: Iterable[str]) -> str:
    """The key scope of a provider account: a slow fingerprint, never the credential."""
    return f"{name}:{_fingerprint(name, base_url, tuple(account))}"


@functools.cache
def _without_setinfo() -> dict[str, Any]:
    """redis-py's way to skip CLIENT SETINFO: ``driver_info=None`` from 7.1, before it
    ``lib_name=None, lib_version=None`` (deprecated since)."""
    import inspect

    import redis

    if "driver_info" in inspect.signature(redis.Redis.__init__).parameters:
        return {"driver_info": None}
    return {"lib_name": None, "lib_version": None}


class _Outage:
    """Whether one storage (by URI) is away, shared by every gate of this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.retry_at: float | None = None  # while away: when to ask it again; None while up


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(uri: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(uri, _Outage())


class SharedGate:
    def __init__(
        self,
        uri: str,
        scope: str,
        max_rate: float | None,
        clock: Clock,
        *,
        max_pause: float = MAX_PAUSE,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.uri = check_storage_uri(uri)
        self.key = f"unsend:{scope}"
        self.keys = [f"{self.key}:slot", f"{self.key}:pause"]
        self.interval_ms = 1000.0 / max_rate if max_rate else 0.0
        self.max_pause = max_pause
        self.clock = clock
        self.timer = timer
        self.fallback = Gate(max_rate)  # this process's own pacing while the storage is away
        self._outage = _outage_of(uri)
        self._lock = threading.Lock()
        self._sync: tuple[Any, Workers] | None = None  # redis-py's client and where its calls
        # run, built on first use
        self._async: dict[int, Any] = {}  # its asyncio client, per event loop

    def __repr__(self) -> str:
        return f"SharedGate({self.key!r})"  # the URI may hold a password

    # -- what both drivers share: when to ask, what to ask, what the answer means ------------

    def _usable(self, time_left: float) -> bool:
        """Ask the storage only while it is up and the call cannot outlast the deadline: a
        call is one connect and one answer, each at most ``STORAGE_TIMEOUT``."""
        retry_at = self._outage.retry_at
        up = retry_at is None or self.timer() >= retry_at
        return up and time_left > 2 * STORAGE_TIMEOUT

    def _pause_args(self, now: float, seconds: float, time_left: float) -> list[str] | None:
        seconds = min(seconds, self.max_pause, time_left)
        if not seconds > 0:
            return None
        until_ms = math.ceil((now + seconds) * 1000)
        return [str(until_ms), str(math.ceil(seconds * 1000) + 1000)]

    def _local(self) -> float:
        """This process's own slot: taken now, to be used after the wait."""
        return self.fallback.reserve(self.clock.monotonic())

    def _answered(self, started: float) -> None:
        """A storage call came back: slow is as good as down; in time ends an outage, unless
        the call was already under way when the outage began (then it waits its retry)."""
        now = self.timer()
        if now - started > SLOW_STORAGE:
            self._went_down(f"it answered in {now - started:.2f} s")
            return
        outage = self._outage
        with outage.lock:
            if outage.retry_at is not None and now >= outage.retry_at:
                outage.retry_at = None  # back: the next outage is warned about again

    def _went_down(self, why: str) -> None:
        outage = self._outage
        with outage.lock:
            first = outage.retry_at is None
            outage.retry_at = self.timer() + RETRY_STORAGE_AFTER
        if first:
            log.warning(
                "unsend: rate-limit storage unavailable (%s); pacing this process alone for "
                "%.0f s, then trying it again",
                why,
                RETRY_STORAGE_AFTER,
            )

    # -- storage clients ------------------------------------------------------------------------

    @staticmethod
    def _options(retry: type[Any]) -> dict[str, Any]:
        # One round trip per call, each bounded: no retries inside redis-py (falling back is
        # the gate's answer to a failure; redis-py 5 retried by default), nothing said on
        # connect (no HELLO, redis-py 8's default for RESP3, no CLIENT SETINFO), EVAL not
        # EVALSHA (no NOSCRIPT round trip). ``retry`` is the driver's class.
        from redis.backoff import NoBackoff

        return {
            "socket_timeout": STORAGE_TIMEOUT,
            "socket_connect_timeout": STORAGE_TIMEOUT,
            "retry": retry(NoBackoff(), 0),
            "protocol": 2,
            **_without_setinfo(),
        }

    def _sync_client(self) -> tuple[Any, Workers]:
        with self._lock:
            if self._sync is None:
                import redis
                from redis.retry import Retry

                client = redis.Redis.from_url(self.uri, **self._options(Retry))
                self._sync = client, Workers(thread_name_prefix="unsend-storage")
            return self._sync

    def _eval_sync(self, script: _Eval) -> Any:
        """One storage call, bounded as a whole. redis-py's sync socket timeout bounds each
        read, not an answer dripped a byte at a time, so the call runs on a worker thread and
        is given up on after a connect's and an answer's time, its connections shut under it
        (which ends the worker's read at once)."""
        client, workers = self._sync_client()
        call = workers.submit(
            client.eval, script.text, len(script.keys), *script.keys, *script.args
        )
        try:
            return call.result(timeout=2 * STORAGE_TIMEOUT)
        except TimeoutError:
            client.connection_pool.disconnect()
            raise

    def _async_client(self) -> Any:
        import asyncio

        import redis.asyncio
        from redis.asyncio.retry import Retry

        loop = id(asyncio.get_running_loop())
        client = self._async.get(loop)
        if client is None:
            options = self._options(Retry)
            client = self._async[loop] = redis.asyncio.Redis.from_url(self.uri, **options)
        return client

    def close(self) -> None:
        with self._lock:
            sync, self._sync = self._sync, None
        if sync is not None:
            client, workers = sync
            client.close()
            workers.shutdown(wait=False)

    async def aclose(self) -> None:
        import asyncio

        client = self._async.pop(id(asyncio.get_running_loop()), None)
        if client is not None:
            await client.aclose()
        self.close()

    # -- the two operations, written once: each yields its one script for a runner to evaluate

    def _reserve(self, now: float, time_left: float) -> Generator[_Eval, Any, float]:
        """Seconds to wait before sending: the fleet's slot, or this process's own while the
        storage is away. ``now`` is the injected clock's wall time; ``time_left`` the cancel's."""
        if not self._usable(time_left):
            return self._local()
        now_ms = _ms(now)  # the script answers to the microsecond, as it is asked
        args = [now_ms, repr(self.interval_ms), _ms(now + time_left)]
        started = self.timer()
        try:
            reply = yield _Eval(RESERVE, self.keys, args)
        except Exception as error:  # any storage failure: fall back, never hang, never blame
            self._went_down(type(error).__name__)
            return self._local()
        self._answered(started)
        return (float(reply[0]) - float(now_ms)) / 1000

    def _pause(self, now: float, seconds: float, time_left: float) -> Generator[_Eval, Any, None]:
        """Close the gate for every process until an instant (and this process's own)."""
        self.fallback.pause_until(self.clock.monotonic() + min(seconds, self.max_pause))
        args = self._pause_args(now, seconds, time_left)
        if args is None or not self._usable(time_left):
            return
        started = self.timer()
        try:
            yield _Eval(PAUSE, self.keys[1:], args)
        except Exception as error:
            self._went_down(type(error).__name__)
            return
        self._answered(started)

    # -- the runners: one storage call each, sync or async ----------------------------------------

    def _run_sync(self, operation: Generator[_Eval, Any, T]) -> T:
        try:
            script = next(operation)
            while True:
                try:
                    reply = self._eval_sync(script)
                except Exception as error:
                    script = operation.throw(error)
                else:
                    script = operation.send(reply)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    async def _run_async(self, operation: Generator[_Eval, Any, T]) -> T:
        try:
            script = next(operation)
            while True:
                try:
                    reply = await self._async_client().eval(
                        script.text, len(script.keys), *script.keys, *script.args
                    )
                except Exception as error:
                    script = operation.throw(error)
                else:
                    script = operation.send(reply)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def reserve_sync(self, now: float, time_left: float) -> float:
        return self._run_sync(self._reserve(now, time_left))

    async def reserve_async(self, now: float, time_left: float) -> float:
        return await self._run_async(self._reserve(now, time_left))

    def pause_sync(self, now: float, seconds: float, time_left: float) -> None:
        self._run_sync(self._pause(now, seconds, time_left))

    async def pause_async(self, now: float, seconds: float, time_left: float) -> None:
        await self._run_async(self._pause(now, seconds, time_left))
