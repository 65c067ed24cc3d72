"""The shared gate's decisions, driven by hand: each storage call is a script the test answers
or fails, on a storage timer the test moves. No Redis and no real time: what is asked, when, and
what an answer (or its lateness) means for this process and the next outage's warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from unsend._engine import shared_gate
from unsend._engine.shared_gate import (
    PAUSE,
    RESERVE,
    RETRY_STORAGE_AFTER,
    SLOW_STORAGE,
    SharedGate,
)
from unsend.testing import FakeClock

NOW = 1_765_000_000.1234567  # a cancel's wall time, on its injected clock
SLOT, PAUSED = "unsend:courier:steps:slot", "unsend:courier:steps:pause"


class Timer:
    """The storage's timer: real seconds of the machine, moved by the test."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _no_outage_left_over() -> Iterator[None]:
    shared_gate._outages.clear()  # outages are per process and per storage URI
    yield
    shared_gate._outages.clear()


def gate(timer: Timer, max_rate: float | None = 10.0, **kwargs: Any) -> SharedGate:
    return SharedGate(
        "redis://127.0.0.1:1/0", "courier:steps", max_rate, FakeClock(), timer=timer, **kwargs
    )


class Asked:
    """One operation driven by hand: the script it asked for, if any, and what it returned."""

    def __init__(self, operation: Any) -> None:
        self.operation = operation
        try:
            self.script: shared_gate._Eval | None = next(operation)
        except StopIteration as done:
            self.script, self.value = None, done.value

    def answer(self, reply: Any = None, *, error: Exception | None = None) -> Any:
        assert self.script is not None, "the storage was not asked"
        try:
            if error is not None:
                self.operation.throw(error)
            else:
                self.operation.send(reply)
        except StopIteration as done:
            return done.value
        raise AssertionError("an operation asks the storage once")


def starting(asked: Asked, after_ms: float) -> list[Any]:
    """A reserve reply: the slot starts ``after_ms`` after the instant the script was given."""
    assert asked.script is not None
    return [f"{float(asked.script.args[0]) + after_ms:.3f}".encode(), 1]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "storage unavailable" in r.getMessage()]


def test_a_reserve_asks_for_its_slot_with_the_instant_the_interval_and_the_deadline() -> None:
    asked = Asked(gate(Timer(), max_rate=4.0)._reserve(NOW, 30.0))
    assert asked.script == (
        RESERVE,
        [SLOT, PAUSED],
        ["1765000000123.457", "250.0", "1765000030123.457"],
    )
    unpaced = Asked(gate(Timer(), max_rate=None)._reserve(NOW, 2.5))
    assert unpaced.script is not None
    assert unpaced.script.args == ["1765000000123.457", "0.0", "1765000002623.457"]


def test_the_reply_is_the_wait_to_the_microsecond_and_none_when_the_slot_is_now() -> None:
    timer = Timer()
    now_slot = Asked(gate(timer)._reserve(NOW, 30.0))
    assert now_slot.answer(starting(now_slot, 0.0)) == 0.0
    later = Asked(gate(timer)._reserve(NOW, 30.0))
    assert later.answer(starting(later, 1234.5)) == pytest.approx(1.2345, abs=1e-6)


def test_storage_is_asked_only_with_more_than_two_storage_timeouts_left() -> None:
    timer = Timer()
    assert Asked(gate(timer)._reserve(NOW, 1.0)).script is None  # 2 x 0.5 s: not asked
    assert Asked(gate(timer)._reserve(NOW, 1.001)).script is not None
    assert Asked(gate(timer)._pause(NOW, 5.0, 1.0)).script is None


def test_an_answer_at_the_slow_bound_is_in_time_and_one_past_it_is_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timer = Timer()
    one = gate(timer)
    asked = Asked(one._reserve(NOW, 30.0))
    timer.now += SLOW_STORAGE
    asked.answer(starting(asked, 0.0))
    asked = Asked(one._reserve(NOW, 30.0))
    assert asked.script is not None  # still up
    timer.now += SLOW_STORAGE + 0.01
    with caplog.at_level(logging.WARNING, logger="unsend"):
        assert asked.answer(starting(asked, 0.0)) == 0.0  # the answer still counts
    assert warnings(caplog) == [
        "unsend: rate-limit storage unavailable (it answered in 0.26 s); pacing this process "
        "alone for 5 s, then trying it again"
    ]
    assert Asked(one._reserve(NOW, 30.0)).script is None  # and then it is left alone


def test_an_outage_is_warned_once_retried_on_time_and_ended_by_an_answer_in_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timer = Timer()
    one = gate(timer)  # paced at 10/s on its own while the storage is away
    caplog.set_level(logging.WARNING, logger="unsend")
    assert Asked(one._reserve(NOW, 30.0)).answer(error=ConnectionError("refused")) == 0.0
    assert warnings(caplog) == [
        "unsend: rate-limit storage unavailable (ConnectionError); pacing this process alone "
        "for 5 s, then trying it again"
    ]
    timer.now += RETRY_STORAGE_AFTER - 0.001
    alone = Asked(one._reserve(NOW, 30.0))
    assert alone.script is None
    assert alone.value == pytest.approx(0.1)  # this process's own second slot
    timer.now += 0.001  # the retry is due to the instant
    assert Asked(one._reserve(NOW, 30.0)).answer(error=TimeoutError()) == pytest.approx(0.2)
    assert len(warnings(caplog)) == 1  # the same outage: not warned again
    timer.now += RETRY_STORAGE_AFTER - 0.001
    assert Asked(one._reserve(NOW, 30.0)).script is None  # its retry counts from the last failure
    timer.now += 0.001
    back = Asked(one._reserve(NOW, 30.0))
    back.answer(starting(back, 0.0))
    again = Asked(one._reserve(NOW, 30.0))  # up: asked at once
    again.answer(error=ConnectionError())
    assert len(warnings(caplog)) == 2  # a new outage is warned about again


def test_an_answer_from_before_an_outage_does_not_end_it() -> None:
    timer = Timer()
    one = gate(timer)
    under_way = Asked(one._reserve(NOW, 30.0))
    Asked(one._reserve(NOW, 30.0)).answer(error=ConnectionError())  # another call fails
    timer.now += 0.1
    under_way.answer(starting(under_way, 0.0))  # in time, but begun before the outage
    assert Asked(one._reserve(NOW, 30.0)).script is None
    timer.now += RETRY_STORAGE_AFTER
    assert Asked(one._reserve(NOW, 30.0)).script is not None


def test_one_outage_is_shared_by_every_gate_of_a_storage() -> None:
    timer = Timer()
    Asked(gate(timer)._reserve(NOW, 30.0)).answer(error=ConnectionError())
    assert Asked(gate(timer)._reserve(NOW, 30.0)).script is None


def test_a_pause_asks_only_for_a_wait_and_writes_it_until_its_instant() -> None:
    timer = Timer()
    assert Asked(gate(timer)._pause(NOW, 0.0, 30.0)).script is None
    asked = Asked(gate(timer, max_pause=60.0)._pause(NOW, 2.0, 30.0))
    assert asked.script == (PAUSE, [PAUSED], ["1765000002124", "3000"])
    assert asked.answer(0) is None


def test_a_failed_pause_is_an_outage_in_its_own_words_and_pauses_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timer = Timer()
    one = gate(timer)
    with caplog.at_level(logging.WARNING, logger="unsend"):
        Asked(one._pause(NOW, 3.0, 30.0)).answer(error=ConnectionError())
    assert warnings(caplog) == [
        "unsend: rate-limit storage unavailable (ConnectionError); pacing this process alone "
        "for 5 s, then trying it again"
    ]
    alone = Asked(one._reserve(NOW, 30.0))
    assert alone.script is None
    assert alone.value == pytest.approx(3.0)  # the 429's pause, kept by this process
    assert Asked(one._pause(NOW, 3.0, 30.0)).script is None  # nothing asked while away
