"""The shared gate on a real redis-server: one limit and one 429 pause for every process.

Two cancellers with the same storage stand for two processes (their only shared state is in
Redis); the CLI test runs real separate processes. Rates are real time where the provider's
bucket is the judge, kept small: about a second each; pauses are on the injected clock.
"""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import anyio
import pytest
import redis

import unsend
from unsend.testing import EmulatorFixture, FakeClock

from .loopback import LoopbackServer
from .redis_server import RedisServer

RATE = 20


def busiest_second(times: list[float]) -> int:
    """The most requests in any one-second window."""
    times = sorted(times)
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def cancel_all(canceller: unsend.Canceller, ids: list[str]) -> list[unsend.CancelResult]:
    return list(canceller.cancel_many(ids, concurrency=4))


def test_two_processes_share_one_rate(redis_url: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    ids = emu.seed("courier", count=2 * RATE)
    emu.set_faults("courier", limit_rps=RATE, limit_burst=RATE)  # the provider's own bucket
    options: dict[str, Any] = {"max_rate": RATE, "rate_limit_storage": redis_url}
    results: list[list[unsend.CancelResult]] = []
    with emu.canceller("courier", **options) as one, emu.canceller("courier", **options) as two:
        threads = [
            threading.Thread(target=lambda c=c, part=part: results.append(cancel_all(c, part)))
            for c, part in ((one, ids[:RATE]), (two, ids[RATE:]))
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        took = time.monotonic() - started
    assert sum(r.cancelled for part in results for r in part) == 2 * RATE
    # Granted at most RATE in any second across both (at the client); the bucket at the
    # provider sees them a few milliseconds apart, so a 429 is rare, not impossible.
    assert emu.stats()["courier"].get("429", 0) <= 2
    assert took >= 0.9  # 40 requests at 20 in any second need a second window at least


def test_without_shared_storage_each_process_paces_alone(
    unsend_emulator: EmulatorFixture,
) -> None:
    """The baseline: the same two processes overshoot the limit together."""
    emu = unsend_emulator
    ids = emu.seed("courier", count=4 * RATE)
    emu.set_faults("courier", limit_rps=RATE, limit_burst=RATE)
    once = unsend.RetryPolicy(max_attempts=1)  # only the overshoot is measured here
    cancellers = [emu.canceller("courier", max_rate=RATE, retry=once) for _ in range(4)]
    threads = [
        threading.Thread(target=cancel_all, args=(c, ids[i * RATE : (i + 1) * RATE]))
        for i, c in enumerate(cancellers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for canceller in cancellers:
        canceller.close()
    assert emu.stats()["courier"].get("429", 0) > 10  # 80/s at a bucket of 20/s


def test_a_429_pauses_every_process(redis_url: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    first, second = emu.seed("qstash", count=2)
    emu.set_faults("qstash", rate_limit_rate=1.0, retry_after=3, max_faults=1)
    options: dict[str, Any] = {"rate_limit_storage": redis_url}
    with emu.canceller("qstash", clock=FakeClock(), **options) as one:
        assert one.cancel(first).cancelled  # a 429, waited out, then cancelled
    other_clock = FakeClock()
    with emu.canceller("qstash", clock=other_clock, **options) as two:
        assert two.cancel(second).cancelled
    # The second process never saw the 429: it waited because the first one paused the fleet.
    assert len(other_clock.sleeps) == 1
    assert 1.0 <= other_clock.sleeps[0] <= 4.0  # QStash's reset is whole epoch seconds
    assert emu.stats()["qstash"] == {"429": 1, "200": 2}


def test_keys_are_a_fingerprint_never_the_credential(
    redis_url: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    ids = emu.seed("onesignal", count=3)
    with emu.canceller("onesignal", max_rate=50, rate_limit_storage=redis_url) as canceller:
        cancel_all(canceller, ids)
        assert "SharedGate('unsend:onesignal:" in repr(canceller.shared_gate)
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*")]
    assert keys
    assert all(k.startswith("unsend:onesignal:") for k in keys), keys
    c = emu.credentials
    for secret in (c.onesignal_api_key, c.onesignal_app_id):
        assert not any(secret in k for k in keys)


def test_another_account_has_its_own_limit(redis_url: str) -> None:
    a = unsend.Canceller(unsend.Courier("token-a"), max_rate=5, rate_limit_storage=redis_url)
    b = unsend.Canceller(unsend.Courier("token-b"), max_rate=5, rate_limit_storage=redis_url)
    assert a.shared_gate is not None
    assert b.shared_gate is not None
    assert a.shared_gate.key != b.shared_gate.key
    a.close()
    b.close()


def test_async_cancellers_share_it_too(redis_url: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    ids = emu.seed("courier", count=2 * RATE)
    emu.set_faults("courier", limit_rps=RATE, limit_burst=RATE)

    async def main() -> int:
        async with (
            emu.async_canceller("courier", max_rate=RATE, rate_limit_storage=redis_url) as one,
            emu.async_canceller("courier", max_rate=RATE, rate_limit_storage=redis_url) as two,
        ):
            done = 0

            async def run(c: unsend.AsyncCanceller, part: list[str]) -> None:
                nonlocal done
                async for result in c.cancel_many(part, concurrency=4):
                    done += result.cancelled

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(run, one, ids[:RATE])
                tasks.start_soon(run, two, ids[RATE:])
            return done

    assert anyio.run(main) == 2 * RATE
    assert emu.stats()["courier"].get("429", 0) <= 2


def test_redis_going_away_mid_run_falls_back_and_loses_nothing(
    own_redis: RedisServer, unsend_emulator: EmulatorFixture, caplog: pytest.LogCaptureFixture
) -> None:
    emu = unsend_emulator
    ids = emu.seed("courier", count=60)
    results: list[unsend.CancelResult] = []
    caplog.set_level(logging.WARNING, logger="unsend")
    with emu.canceller("courier", max_rate=100, rate_limit_storage=own_redis.url) as canceller:
        started = time.monotonic()
        for i, result in enumerate(canceller.cancel_many(ids, concurrency=4, ordered=True)):
            results.append(result)
            if i == 10:
                own_redis.stop()  # mid-run
        took = time.monotonic() - started
    assert [r.message_id for r in results] == ids  # one result per id, none lost
    assert all(r.cancelled for r in results)
    assert took < 10  # no hang: each storage call gives up quickly, then the local gate paces
    warnings = [r for r in caplog.records if "rate-limit storage unavailable" in r.message]
    assert len(warnings) == 1  # once, not once per request


def test_an_unreachable_storage_never_blocks_a_cancel(unsend_emulator: EmulatorFixture) -> None:
    from .redis_server import free_port

    emu = unsend_emulator
    (message_id,) = emu.seed("courier", count=1)
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    with emu.canceller("courier", max_rate=10, rate_limit_storage=nowhere) as canceller:
        started = time.monotonic()
        assert canceller.cancel(message_id).cancelled
        assert time.monotonic() - started < 5  # refused at once; 5 s is load's slack, not a wait


def test_configuration_forms_carry_the_storage(redis_url: str) -> None:
    canceller = unsend.from_config(f"courier://t@?rate_limit_storage={redis_url}&max_rate=5")
    assert canceller.shared_gate is not None
    canceller.close()
    canceller = unsend.from_env(
        environ={"UNSEND_DSN": "courier://t@", "UNSEND_RATE_LIMIT_STORAGE": redis_url}
    )
    assert canceller.shared_gate is not None
    canceller.close()
    with unsend.Router({"mail": "courier://t@"}, rate_limit_storage=redis_url) as router:
        assert router.canceller("mail").shared_gate is not None
    with pytest.raises(unsend.ConfigError, match="Redis URL"):
        unsend.from_config({"provider": "courier", "token": "t", "rate_limit_storage": "redis"})
    plain = unsend.from_config("courier://t@?rate_limit_storage=memory://")
    assert plain.shared_gate is None  # memory:// is this process's own gate, as before
    plain.close()


def test_the_cli_processes_share_the_limit(
    redis_url: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    parts = [emu.seed("courier", count=RATE) for _ in range(2)]
    emu.set_faults("courier", limit_rps=RATE, limit_burst=RATE)
    command = [sys.executable, "-m", "unsend.cli", "cancel", "--dsn", emu.dsn("courier")]
    shared = ["--rate-limit-storage", redis_url, "--max-rate", str(RATE), "--json"]
    processes = [
        subprocess.Popen([*command, *part, *shared], stdout=subprocess.PIPE, text=True)
        for part in parts
    ]
    outputs = [p.communicate(timeout=60)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    assert sum(len(out.splitlines()) for out in outputs) == 2 * RATE
    assert emu.stats()["courier"].get("429", 0) <= 2


@pytest.mark.slow
def test_four_cli_processes_hold_the_fleet_limit(unsend_emulator: EmulatorFixture) -> None:
    """The issue's criterion, as benchmarks/fleet.py measures it (shorter runs). What the fleet
    achieves is the benchmark's to say; this checks what holds on any machine, loaded or not:
    shared, the provider's bucket is not overrun. (That four processes pacing alone overrun
    it is the benchmark's contrast: on a loaded machine they may not reach its rate at all.)"""
    from benchmarks import fleet

    shared = fleet.measure(unsend_emulator.url, seconds=2, bucket_ids=50)
    four = shared["shared"][-1]
    assert four["processes"] == 4
    assert four["results"] == four["cancels"]
    assert four["share_answered_429"] < 0.02
    bucket = shared["bucket"]  # 100/s, burst 10, at --max-rate 95
    assert bucket["results"] == bucket["cancels"] == 200
    assert bucket["share_answered_429"] < 0.02


# -- atomic, capped, and never past a cancel's deadline (#24 items 2, 3, 13) ------------------


def _frozen() -> float:
    """A storage timer standing still, past any retry a real-time gate of this module (the
    emulator tests' cancellers, on the same Redis) may have recorded in the shared outage."""
    return 1e12


def _gate(redis_url: str, clock: FakeClock, **kwargs: Any) -> Any:
    """A gate whose storage timer stands still: these tests read the scripts on a real Redis,
    and a loaded machine answering a call late must not turn them into tests of the fall-back
    (its decisions are tests/fleet/test_shared_gate_steps.py's, on a timer moved by hand)."""
    from unsend._engine.shared_gate import SharedGate

    kwargs.setdefault("timer", _frozen)
    return SharedGate(redis_url, "courier:test", kwargs.pop("max_rate", None), clock, **kwargs)


def _pause_ms(redis_url: str) -> int:
    value = redis.Redis.from_url(redis_url).get("unsend:courier:test:pause")
    return 0 if value is None else int(value)


def test_concurrent_pauses_keep_the_latest_instant_and_never_add_up(redis_url: str) -> None:
    clock = FakeClock()
    now = clock.time()
    gates = [_gate(redis_url, clock) for _ in range(8)]
    threads = [
        threading.Thread(target=g.pause_sync, args=(now, 2.0 + i / 10, 30.0))
        for i, g in enumerate(gates)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # The latest of the eight instants, to the millisecond: not their sum, not the last writer.
    assert _pause_ms(redis_url) == int((now + 2.7) * 1000 + 0.999)
    gates[0].pause_sync(now, 1.0, 30.0)  # a shorter pause never shortens it
    assert _pause_ms(redis_url) == int((now + 2.7) * 1000 + 0.999)


def test_a_pause_is_capped_by_max_pause_and_by_the_cancel_s_time_left(redis_url: str) -> None:
    clock = FakeClock()
    now = clock.time()
    _gate(redis_url, clock).pause_sync(now, 315_360_000, 30.0)  # "retry after ten years"
    assert _pause_ms(redis_url) <= (now + 30.0) * 1000 + 1
    redis.Redis.from_url(redis_url).flushall()
    _gate(redis_url, clock, max_pause=5.0).pause_sync(now, 315_360_000, 30.0)
    assert _pause_ms(redis_url) <= (now + 5.0) * 1000 + 1


def test_a_ten_year_retry_after_does_not_lock_a_fresh_process_out(
    redis_url: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    first, second = emu.seed("courier", count=2)
    emu.set_faults("courier", rate_limit_rate=1.0, retry_after=315_360_000, max_faults=1)
    storage: dict[str, Any] = {"rate_limit_storage": redis_url}
    clock = FakeClock()
    with emu.canceller("courier", clock=clock, **storage) as one, pytest.raises(unsend.RateLimited):
        one.cancel(first)  # the wait is past its deadline: this cancel fails at once
    # A fresh process a deadline later (30 s on its clock) is not paused at all.
    later = FakeClock(wall_start=clock.time() + 31)
    with emu.canceller("courier", clock=later, **storage) as two:
        assert two.cancel(second).cancelled
    assert later.sleeps == []


def test_a_slot_past_the_deadline_is_refused_without_being_taken(redis_url: str) -> None:
    clock = FakeClock()
    gate = _gate(redis_url, clock, max_rate=0.5)  # one slot every two seconds, fleet-wide
    now = clock.time()
    assert gate.reserve_sync(now, 30.0) == 0.0
    assert gate.reserve_sync(now, 30.0) == pytest.approx(2.0, abs=0.002)
    assert gate.reserve_sync(now, 3.0) > 3.0  # would wait past its deadline: not taken
    assert gate.reserve_sync(now, 30.0) == pytest.approx(4.0, abs=0.002)  # the slot is still free


def test_the_async_path_takes_the_same_slots_and_pauses_as_the_sync_one(redis_url: str) -> None:
    """One fleet whichever way a process runs: slots taken by async and sync gates interleave,
    a slot past the deadline is refused untaken, and a pause written async is read by all."""
    clock = FakeClock()
    now = clock.time()
    sync_gate = _gate(redis_url, clock, max_rate=0.5)  # one slot every two seconds
    async_gate = _gate(redis_url, clock, max_rate=0.5)

    async def main() -> list[float]:
        waits = [await async_gate.reserve_async(now, 30.0)]
        waits.append(sync_gate.reserve_sync(now, 30.0))
        waits.append(await async_gate.reserve_async(now, 3.0))  # past its deadline
        waits.append(await async_gate.reserve_async(now, 30.0))
        await async_gate.pause_async(now, 2.7, 30.0)
        await async_gate.aclose()
        return waits

    waits = anyio.run(main)
    assert waits[0] == 0.0
    assert waits[1] == pytest.approx(2.0, abs=0.002)
    assert waits[2] > 3.0  # not taken: the next is still 4 s away
    assert waits[3] == pytest.approx(4.0, abs=0.002)
    assert _pause_ms(redis_url) == int((now + 2.7) * 1000 + 0.999)
    assert sync_gate.reserve_sync(now, 30.0) == pytest.approx(6.0, abs=0.002)
    sync_gate.close()


def test_a_pause_is_written_until_its_instant_and_kept_a_second_longer() -> None:
    gate = _gate("redis://127.0.0.1:1/0", FakeClock(), max_pause=5.0)  # never contacted
    assert gate._pause_args(1000.0, 0.0, 30.0) is None
    assert gate._pause_args(1000.0, -1.0, 30.0) is None
    assert gate._pause_args(1000.0, 0.5, 30.0) == ["1000500", "1500"]
    assert gate._pause_args(1000.0, 1.25, 30.0) == ["1001250", "2250"]
    assert gate._pause_args(1000.0, 60.0, 30.0) == ["1005000", "6000"]  # max_pause
    assert gate._pause_args(1000.0, 60.0, 2.0) == ["1002000", "3000"]  # the time left


def test_no_pause_is_written_for_no_wait(redis_url: str) -> None:
    clock = FakeClock()
    _gate(redis_url, clock).pause_sync(clock.time(), 0.0, 30.0)
    assert _pause_ms(redis_url) == 0


def test_an_unreachable_storage_is_warned_about_once_then_left_alone_a_while(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from unsend._engine.shared_gate import RETRY_STORAGE_AFTER, SharedGate

    # Port 1 refuses at once; the database number makes this URI (its outage record) its own.
    gate = SharedGate("redis://127.0.0.1:1/7", "courier:outage", 10.0, FakeClock())
    now = time.time()
    with caplog.at_level(logging.WARNING, logger="unsend"):
        assert gate.reserve_sync(now, 30.0) == 0.0  # paced alone: the first slot is now
        assert gate.reserve_sync(now, 30.0) == pytest.approx(0.1)  # then 1/10 s apart
    warned = [r.getMessage() for r in caplog.records if "storage unavailable" in r.getMessage()]
    assert warned == [
        "unsend: rate-limit storage unavailable (ConnectionError); pacing this process alone "
        "for 5 s, then trying it again"
    ]
    # Left alone for RETRY_STORAGE_AFTER from the failure (a loaded machine only shortens it).
    retry_at = gate._outage.retry_at
    assert retry_at is not None
    assert 0 < retry_at - time.monotonic() <= RETRY_STORAGE_AFTER
    gate.close()


def test_each_gate_keeps_one_client_per_event_loop_and_closes_it(redis_url: str) -> None:
    gate = _gate(redis_url, FakeClock())
    (client, workers), (again, same_workers) = gate._sync_client(), gate._sync_client()
    assert client is again
    assert workers is same_workers

    async def main() -> tuple[bool, int, int]:
        first = gate._async_client()
        same = gate._async_client() is first
        held = len(gate._async)
        await gate.aclose()
        return same, held, len(gate._async)

    assert anyio.run(main) == (True, 1, 0)


def test_an_unreachable_storage_paces_an_async_process_alone_too(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from unsend._engine.shared_gate import SharedGate

    gate = SharedGate("redis://127.0.0.1:1/8", "courier:outage-async", 10.0, FakeClock())
    now = time.time()

    async def main() -> list[float]:
        waits = [await gate.reserve_async(now, 30.0), await gate.reserve_async(now, 30.0)]
        await gate.pause_async(now, 1.0, 30.0)  # nowhere to write it: this process's own
        waits.append(await gate.reserve_async(now, 30.0))
        await gate.aclose()
        return waits

    with caplog.at_level(logging.WARNING, logger="unsend"):
        waits = anyio.run(main)
    assert waits[:2] == [0.0, pytest.approx(0.1)]
    assert waits[2] == pytest.approx(1.0)  # the local pause
    warned = [r.getMessage() for r in caplog.records if "storage unavailable" in r.getMessage()]
    assert len(warned) == 1
    assert "(ConnectionError)" in warned[0]


class SlowProxy(LoopbackServer):
    """A loopback TCP proxy in front of Redis that holds every answer for ``delay`` seconds."""

    def __init__(self, upstream_port: int, delay: float) -> None:
        self.delay = delay
        self.upstream = ("127.0.0.1", upstream_port)
        super().__init__()

    def handle(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream)
        threading.Thread(
            target=self._pump, args=(upstream, client, self.delay), daemon=True
        ).start()
        self._pump(client, upstream, 0.0)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket, delay: float) -> None:
        try:
            while data := source.recv(65536):
                time.sleep(delay)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                s.close()


def test_slow_storage_is_treated_as_down_and_never_breaks_the_deadline(
    redis_server: RedisServer, unsend_emulator: EmulatorFixture, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis answering 0.4 s late. Real time is the point: the bound is the deadline (2 s)
    plus 0.5 s, which a loaded machine cannot eat (the cancel itself takes milliseconds)."""
    from unsend._engine import shared_gate

    shared_gate._outages.clear()
    emu = unsend_emulator
    ids = emu.seed("courier", count=5)
    proxy = SlowProxy(redis_server.port, 0.4)
    caplog.set_level(logging.WARNING, logger="unsend")
    retry = unsend.RetryPolicy(deadline=2.0)
    try:
        with emu.canceller("courier", max_rate=50, rate_limit_storage=proxy.url, retry=retry) as c:
            for message_id in ids:
                started = time.monotonic()
                result = c.cancel(message_id)
                assert time.monotonic() - started < 2.0 + 0.5
                assert result.cancelled, result  # never blamed on the provider
    finally:
        proxy.close()
        shared_gate._outages.clear()
    warnings = [r for r in caplog.records if "rate-limit storage unavailable" in r.message]
    assert len(warnings) == 1  # one per outage per process
    # Slow, said as slow (not an error's name): how slow depends on the machine.
    assert re.search(r"\(it answered in \d+\.\d\d s\)", warnings[0].message)


def test_keys_cannot_be_checked_against_a_guessed_token_cheaply() -> None:
    import hashlib

    from unsend._engine.shared_gate import _fingerprint, scope_of

    token = "courier-token-guessed-1"
    scope = scope_of("courier", "https://api.courier.com", [token])
    cheap = hashlib.sha256("\0".join(["courier", "https://api.courier.com", token]).encode())
    assert cheap.hexdigest()[:16] not in scope
    _fingerprint.cache_clear()
    started = time.process_time()
    for n in range(3):
        scope_of("courier", "https://api.courier.com", [f"guess-{n}"])
    assert time.process_time() - started >= 3 * 0.005  # each guess costs a slow derivation


@pytest.mark.parametrize("uri", ["reddis://127.0.0.1:6379/0", "memcached://x", "redis"])
def test_an_unknown_storage_scheme_is_refused_at_configuration(uri: str) -> None:
    with pytest.raises(unsend.ConfigError):
        unsend.Canceller(unsend.Courier("token-1234"), rate_limit_storage=uri)
    with pytest.raises(unsend.ConfigError):
        unsend.from_config({"provider": "courier", "token": "t", "rate_limit_storage": uri})


@pytest.mark.parametrize(
    ("uri", "said"),
    [
        (
            "reddis://127.0.0.1:6379/0",
            "rate_limit_storage: unknown scheme 'reddis://'; use one of redis://, rediss://, "
            "unix://, memory:// (did you mean 'redis://'?)",
        ),
        (
            "memcached://x",
            "rate_limit_storage: unknown scheme 'memcached://'; use one of redis://, rediss://, "
            "unix://, memory://",
        ),
        ("redis", "rate_limit_storage must be a Redis URL such as redis://host:6379/0"),
        (
            "Memroy://",  # the closest of the known schemes, whatever the case
            "rate_limit_storage: unknown scheme 'memroy://'; use one of redis://, rediss://, "
            "unix://, memory:// (did you mean 'memory://'?)",
        ),
    ],
)
def test_a_refused_storage_says_why_in_full(uri: str, said: str) -> None:
    from unsend._engine.shared_gate import check_storage_uri

    with pytest.raises(unsend.ConfigError) as refused:
        check_storage_uri(uri)
    assert refused.value.message == said


def test_a_storage_uri_is_judged_by_its_own_scheme() -> None:
    from unsend._engine.shared_gate import check_storage_uri

    uri = "REDIS://127.0.0.1:6379/0?client_name=a://b"  # a '://' later is not its scheme
    assert check_storage_uri(uri) == uri


def test_an_account_s_scope_depends_on_provider_address_and_credentials() -> None:
    from unsend._engine.shared_gate import scope_of

    scopes = {
        scope_of("courier", "https://api.courier.com", ["t-1"]),
        scope_of("knock", "https://api.courier.com", ["t-1"]),
        scope_of("courier", "https://eu.courier.com", ["t-1"]),
        scope_of("courier", "https://api.courier.com", ["t-2"]),
    }
    assert len(scopes) == 4


def test_storage_is_asked_only_when_a_call_to_it_fits_in_the_time_left(redis_url: str) -> None:
    """Two storage timeouts (1 s) must fit: with less left, this process paces alone."""
    clock = FakeClock()
    now = clock.time()
    gates = [_gate(redis_url, clock, max_rate=10) for _ in range(3)]  # 0.1 s apart, shared
    assert gates[0].reserve_sync(now, 30.0) == 0.0
    assert gates[1].reserve_sync(now, 1.2) == pytest.approx(0.1, abs=0.002)  # asked
    assert gates[2].reserve_sync(now, 1.0) == 0.0  # not asked: its own first slot


def test_the_cli_refuses_a_misspelt_storage_with_exit_2() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "unsend.cli",
            "cancel",
            "1-a",
            "--dsn",
            "courier://t@",
            "--rate-limit-storage",
            "reddis://127.0.0.1:6379/0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "did you mean 'redis://'" in done.stderr


def test_while_the_storage_is_away_this_process_still_paces() -> None:
    """Unreachable storage: the fleet's limit is not held, but this process's own is."""
    from unsend._engine import shared_gate

    from .redis_server import free_port

    shared_gate._outages.clear()
    clock = FakeClock()
    gate = _gate(f"redis://127.0.0.1:{free_port()}/0", clock, max_rate=10.0)
    try:
        now = clock.time()
        assert gate.reserve_sync(now, 30.0) == 0.0  # refused at once: paced locally from here
        assert gate.reserve_sync(now, 30.0) == pytest.approx(0.1)
        assert gate.reserve_sync(now, 30.0) == pytest.approx(0.2)
        gate.pause_sync(now, 5.0, 30.0)  # a 429 pauses this process even so
        assert gate.reserve_sync(now, 30.0) == pytest.approx(5.0)
    finally:
        shared_gate._outages.clear()
