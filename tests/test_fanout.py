"""The fan-out engine alone (``_engine/fanout.py``), driven by a ``cancel_one`` the test scripts:
how far ahead ids start, a worker that ends early, results held behind a failure, the failed
result's fields, and the sync driver's private loop.

The clients' ``cancel_many`` tests (tests/test_cancel_many.py, tests/conformance/test_streams.py)
prove the promises through every entry point; these pin the engine's own rules, which those
cannot reach exactly (mutation testing showed which).
"""

from __future__ import annotations

import asyncio

import anyio
import pytest

from unsend import CancelResult, InvalidMessageId, Outcome
from unsend._engine.fanout import FanOut, LoopThread, failed_result, iterate_on, window


def done(message_id: str) -> CancelResult:
    return CancelResult("toy", message_id, Outcome.CANCELLED)


async def collect(fan: FanOut) -> list[CancelResult]:
    return [result async for result in fan.stream()]


def test_an_ordered_stream_starts_four_times_its_concurrency_ahead_of_a_slow_first_id() -> None:
    started: list[str] = []

    async def main() -> None:
        first_may_end = asyncio.Event()

        async def cancel_one(message_id: str, worker: int) -> CancelResult:
            started.append(message_id)
            if message_id == "0":
                await first_may_end.wait()
            return done(message_id)

        ids = [str(i) for i in range(40)]
        fan = FanOut(ids, cancel_one, concurrency=2, ordered=True)
        stream = fan.stream()
        first = asyncio.ensure_future(stream.__anext__())
        for _ in range(200):  # every task runs until it waits for the first id or a slot
            await asyncio.sleep(0)
        assert len(started) == window(2, True) == 8  # the first id, and seven behind it
        first_may_end.set()
        assert (await first).message_id == "0"
        rest = [result.message_id async for result in stream]
        assert rest == ids[1:]

    anyio.run(main)


def test_the_unordered_window_is_the_concurrency() -> None:
    assert window(5, False) == 5
    assert window(5, True) == 20


def test_a_slow_id_is_waited_for_after_every_other_worker_has_ended() -> None:
    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        if message_id == "slow":
            for _ in range(50):  # still running long after the other worker has ended
                await asyncio.sleep(0)
        return done(message_id)

    ids = ["slow", "a", "b", "c"]
    results = anyio.run(collect, FanOut(ids, cancel_one, concurrency=2, ordered=False))
    assert sorted(r.message_id for r in results) == sorted(ids)


def test_results_held_behind_a_failure_still_go_out_in_order_before_it_is_raised() -> None:
    class Broken(Exception):
        pass

    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        if message_id == "boom":
            for _ in range(20):  # the ids after it finish first and are held behind it
                await asyncio.sleep(0)
            raise Broken  # not a cancel's failure: the caller's code, say
        return done(message_id)

    seen: list[str] = []

    async def main() -> None:
        fan = FanOut(["boom", "a", "b"], cancel_one, concurrency=3, ordered=True)
        async for result in fan.stream():
            seen.append(result.message_id)

    with pytest.raises(Broken):
        anyio.run(main)
    assert seen == ["a", "b"]


def test_a_failed_result_carries_everything_its_error_says() -> None:
    error = InvalidMessageId("it is empty", provider="toy")
    result = failed_result("toy", "", error, 0.25)
    assert (result.provider, result.message_id, result.outcome) == ("toy", "", Outcome.FAILED)
    assert (result.error, result.detail, result.elapsed) == (error, str(error), 0.25)
    assert (result.attempts, result.status_code) == (error.attempts, error.status_code)
    assert failed_result("toy", 7, error, 0).message_id == "7"  # a non-text id, shown


def test_the_sync_driver_runs_the_fan_out_on_its_own_loop_and_closes_it() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        loops.append(asyncio.get_running_loop())
        return done(message_id)

    loop = LoopThread()
    try:
        fan = FanOut([str(i) for i in range(10)], cancel_one, concurrency=3, ordered=True)
        results = [r.message_id for r in iterate_on(loop, fan)]
        assert results == [str(i) for i in range(10)]
        assert set(loops) == {loop.loop}
        assert loop.run(asyncio.sleep(0, result="ran")) == "ran"
    finally:
        loop.close()
    assert loop.loop.is_closed()
    loop.close()  # twice: nothing left to close
