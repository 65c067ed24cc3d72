"""A consumer that stops reading cancel_many starts no new request (real emulator, real time)."""

from __future__ import annotations

import contextlib
import gc
import time

import anyio
import pytest

from unsend.testing import EmulatorFixture

IDS = 50
CONCURRENCY = 5


def requests_seen(emu: EmulatorFixture) -> int:
    return sum(emu.stats()["courier"].values())


def settle(emu: EmulatorFixture) -> int:
    """Requests seen once whatever was in flight has landed."""
    time.sleep(0.5)
    seen = requests_seen(emu)
    time.sleep(0.3)
    assert requests_seen(emu) == seen, "requests kept arriving after the consumer stopped"
    return seen


@pytest.fixture
def slow_courier(unsend_emulator: EmulatorFixture) -> list[str]:
    unsend_emulator.set_faults("courier", latency_ms=100)
    return unsend_emulator.seed("courier", count=IDS)


@pytest.mark.parametrize("how", ["break", "closing"])
@pytest.mark.parametrize("ordered", [False, True])
def test_sync_stop_after_one_result(
    unsend_emulator: EmulatorFixture, slow_courier: list[str], how: str, ordered: bool
) -> None:
    with unsend_emulator.canceller("courier") as canceller:
        stream = canceller.cancel_many(slow_courier, concurrency=CONCURRENCY, ordered=ordered)
        if how == "closing":
            with contextlib.closing(stream) as results:
                first = next(results)
        else:
            for first in stream:  # noqa: B007 - the break is the point
                break
            del stream
            gc.collect()
        assert first.cancelled
        seen = settle(unsend_emulator)
    window = CONCURRENCY * (4 if ordered else 1)
    assert seen <= window, f"{seen} requests for one result"
    stats = unsend_emulator.stats()["courier"]
    cancelled = [i for i, s in unsend_emulator.states("courier").items() if s == "cancelled"]
    # A request abandoned in flight was dropped by the emulator before it changed anything.
    assert len(cancelled) == stats.get("200", 0)


@pytest.mark.parametrize("how", ["break", "aclosing"])
def test_async_stop_after_one_result(
    unsend_emulator: EmulatorFixture, slow_courier: list[str], how: str
) -> None:
    async def main() -> None:
        async with unsend_emulator.async_canceller("courier") as canceller:
            stream = canceller.cancel_many(slow_courier, concurrency=CONCURRENCY)
            if how == "aclosing":
                async with contextlib.aclosing(stream) as results:
                    first = await anext(results)
            else:
                async for first in stream:  # noqa: B007 - the break is the point
                    break
                # A plain break leaves the generator suspended until it is collected.
                await stream.aclose()
            assert first.cancelled
            await anyio.sleep(0.4)  # in-flight requests were abandoned, not resumed

    anyio.run(main)
    seen = settle(unsend_emulator)
    assert seen <= CONCURRENCY, f"{seen} requests for one result"
    stats = unsend_emulator.stats()["courier"]
    cancelled = [i for i, s in unsend_emulator.states("courier").items() if s == "cancelled"]
    # A request abandoned in flight was dropped by the emulator before it changed anything.
    assert len(cancelled) == stats.get("200", 0)


def test_consumed_to_the_end_every_id_gets_one_result(
    unsend_emulator: EmulatorFixture, slow_courier: list[str]
) -> None:
    with unsend_emulator.canceller("courier") as canceller:
        results = list(canceller.cancel_many(slow_courier, concurrency=CONCURRENCY))
    assert sorted(r.message_id for r in results) == sorted(slow_courier)
    assert all(r.cancelled for r in results)


def test_a_router_stops_too(unsend_emulator: EmulatorFixture, slow_courier: list[str]) -> None:
    """Router.cancel_many keeps the guarantee: its window is concurrency per provider."""
    refs = [f"courier:{i}" for i in slow_courier]
    with unsend_emulator.router() as router:
        with contextlib.closing(router.cancel_many(refs, concurrency=CONCURRENCY)) as results:
            first = next(results)
        assert first.cancelled
        seen = settle(unsend_emulator)
    # Every provider configured: concurrency slots each, all of the ids courier's here, of which
    # only concurrency may send at once; the ids waiting for courier's slot when the stream
    # stops are dropped unsent.
    assert seen <= CONCURRENCY * 3, f"{seen} requests for one result"
