"""The fan-out engine alone (``_engine/fanout.py``), driven by a ``cancel_one`` the test scripts:
how far ahead ids start, a worker that ends early, results held behind a failure, the failed
result's fields, and the sync driver's private loop.

The clients' ``cancel_many`` tests (tests/test_cancel_many.py, tests/conformance/test_streams.py)
prove the promises through every entry point; these pin the engine's own rules, which those
cannot reach exactly (mutation testing showed which).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

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
        # Past its window (16 x 4), so the slots it gives back in batches of two must add up.
        ids = [str(i) for i in range(100)]
        fan = FanOut(ids, cancel_one, concurrency=16, ordered=True)
        results = [r.message_id for r in iterate_on(loop, fan)]
        assert results == ids
        assert set(loops) == {loop.loop}
        assert loop.run(asyncio.sleep(0, result="ran")) == "ran"
    finally:
        loop.close()
    assert loop.loop.is_closed()
    loop.close()  # twice: nothing left to close


class Broken(Exception):
    """Not a cancel's failure: what a caller's hook might raise."""


# A guard only a hang reaches: these tests wait on nothing real.
HANG = 30


def test_a_failure_is_raised_while_an_async_id_source_has_nothing_more_yet() -> None:
    async def ids() -> AsyncIterator[str]:
        yield "boom"
        yield "a"
        await asyncio.Event().wait()  # a queue with nothing more for now, or ever

    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        if message_id == "boom":
            for _ in range(20):  # "a" is taken, and the other worker waits for an id
                await asyncio.sleep(0)
            raise Broken
        return done(message_id)

    seen: list[str] = []

    async def main() -> None:
        with anyio.fail_after(HANG):
            async for result in FanOut(ids(), cancel_one, concurrency=2, ordered=False).stream():
                seen.append(result.message_id)

    with pytest.raises(Broken):
        anyio.run(main)
    assert seen == ["a"]


def test_what_the_fan_out_opened_is_closed_once_however_it_ends() -> None:
    closed: list[str] = []

    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        return done(message_id)

    async def main() -> None:
        async def cleanup() -> None:
            closed.append("closed")

        ids = [str(i) for i in range(20)]
        assert (
            len(
                await collect(
                    FanOut(ids, cancel_one, concurrency=4, ordered=False, cleanup=cleanup)
                )
            )
            == 20
        )
        assert closed == ["closed"]
        stream = FanOut(ids, cancel_one, concurrency=4, ordered=True, cleanup=cleanup).stream()
        await stream.__anext__()
        await stream.aclose()  # the consumer stopped early
        assert closed == ["closed", "closed"]
        assert asyncio.all_tasks() == {asyncio.current_task()}  # no worker or feed left

    anyio.run(main)


def test_the_sync_driver_raises_what_broke_the_fan_out() -> None:
    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        if message_id == "3":
            raise Broken
        return done(message_id)

    loop = LoopThread()
    try:
        fan = FanOut([str(i) for i in range(8)], cancel_one, concurrency=1, ordered=True)
        taken: list[str] = []
        with pytest.raises(Broken):
            taken.extend(r.message_id for r in iterate_on(loop, fan))
        assert taken == ["0", "1", "2"]
    finally:
        loop.close()


@pytest.mark.parametrize(
    ("concurrency", "ordered"), [(1, False), (1, True), (12, False), (17, True)]
)
def test_the_sync_driver_gives_every_slot_back_whatever_its_batch(
    concurrency: int, ordered: bool
) -> None:
    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        return done(message_id)

    loop = LoopThread()
    try:
        ids = [str(i) for i in range(10 * window(concurrency, ordered))]  # far past its window
        got = [
            r.message_id
            for r in iterate_on(
                loop, FanOut(ids, cancel_one, concurrency=concurrency, ordered=ordered)
            )
        ]
        assert sorted(got) == sorted(ids)
    finally:
        loop.close()


def test_the_sync_driver_closed_early_stops_its_tasks_and_raises_nothing() -> None:
    closed: list[str] = []

    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        return done(message_id)

    async def cleanup() -> None:
        await asyncio.sleep(0.05)  # closing returns only once this has run, however long
        closed.append("closed")

    async def tasks_left() -> int:
        return len(asyncio.all_tasks()) - 1  # this one aside

    loop = LoopThread()
    try:
        ids = [str(i) for i in range(100)]
        fan = FanOut(ids, cancel_one, concurrency=4, ordered=False, cleanup=cleanup)
        results = iterate_on(loop, fan)
        next(results)
        results.close()
        assert closed == ["closed"]
        assert loop.run(tasks_left()) == 0
    finally:
        loop.close()


def test_the_private_loop_runs_on_a_daemon_thread_that_never_holds_up_exit() -> None:
    import threading

    before = set(threading.enumerate())
    loop = LoopThread()
    try:
        (thread,) = set(threading.enumerate()) - before
        assert (thread.name, thread.daemon) == ("unsend-loop", True)
    finally:
        loop.close()
    assert not thread.is_alive()


def test_concurrency_is_a_whole_number_of_at_least_one() -> None:
    from unsend._engine.fanout import check_concurrency

    assert check_concurrency(1) == 1
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="concurrency"):
            check_concurrency(bad)  # type: ignore[arg-type]


def test_ids_in_flight_when_a_worker_breaks_still_go_out_before_it_is_raised() -> None:
    async def cancel_one(message_id: str, worker: int) -> CancelResult:
        if message_id == "boom":
            raise Broken
        for _ in range(20):  # still in flight when "boom" breaks its worker
            await asyncio.sleep(0)
        return done(message_id)

    seen: list[str] = []

    async def main() -> None:
        fan = FanOut(["slow", "boom"], cancel_one, concurrency=2, ordered=False)
        async for result in fan.stream():
            seen.append(result.message_id)

    with pytest.raises(Broken):
        anyio.run(main)
    assert seen == ["slow"]
