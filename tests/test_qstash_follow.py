"""``follow_steps`` and ``bulk_steps``, driven by hand on a fake clock: each poll's budget, each
sleep, and how it ends (finished, out of time before or during a poll, a failed poll, an action
of another kind; a plan's requests bounded in count and by the wait).

Every poll here takes ``POLL`` seconds of the fake clock; the record lists what the machine
did, so the schedule itself is what is asserted.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import unsend
from unsend._engine.call import Sleep
from unsend._engine.clock import FakeClock
from unsend._result import BulkAnswer
from unsend.qstash._follow import follow_steps
from unsend.qstash._plans import MAX_BULK_REQUESTS, bulk_steps
from unsend.qstash._values import BulkAction, BulkActionState

POLL = 0.25
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def _action(action_id: str, done: bool, processed: int, kind: str = "cancel") -> BulkAction:
    state = BulkActionState.FINISHED if done else BulkActionState.IN_PROGRESS
    return BulkAction(action_id, state, 10, processed, CREATED, kind=kind)


class _Poll:
    def __init__(self, clock: FakeClock, answer: BulkAction | Exception, took: float) -> None:
        self.clock, self.answer, self.took = clock, answer, took

    def steps(self) -> Generator[Any, Any, BulkAction]:
        self.clock.advance(self.took)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer
        yield  # a generator, as a Call's steps are


def _follow(
    answers: dict[str, list[BulkAction | Exception]],
    *,
    wait_timeout: float = 10.0,
    deadline_at: float | None = None,
    took: float = POLL,
) -> tuple[list[str], Any]:
    """Run the follow; what it did (polls with their budget, sleeps) and how it ended."""
    clock = FakeClock(start=100.0)
    record: list[str] = []
    left: dict[str, Iterator[BulkAction | Exception]] = {k: iter(v) for k, v in answers.items()}

    def call_for(action_id: str, seconds: float) -> Any:
        record.append(f"poll {action_id} within {seconds:g} s at {clock.monotonic() - 100:g}")
        return _Poll(clock, next(left[action_id]), took)

    machine = follow_steps(
        "qstash", list(answers), call_for, clock, wait_timeout, deadline_at=deadline_at
    )
    try:
        step = next(machine)
        while True:
            assert isinstance(step, Sleep)
            record.append(f"sleep {step.seconds:g}")
            clock.advance(step.seconds)
            step = machine.send(None)
    except StopIteration as done:
        return record, [(a.action_id, a.processed) for a in done.value]
    except unsend.UnsendError as error:
        fields = {k: v for k, v in vars(error).items() if not k.startswith("_") and v is not None}
        return record, (type(error).__name__, str(error), fields)


def test_each_action_is_polled_until_finished_with_doubling_sleeps() -> None:
    record, ended = _follow(
        {
            "a": [_action("a", False, 1), _action("a", False, 2), _action("a", True, 10)],
            "b": [_action("b", True, 10)],
        }
    )
    assert record == [
        "poll a within 10 s at 0",
        "sleep 0.5",
        "poll a within 9.25 s at 0.75",
        "sleep 1",
        "poll a within 8 s at 2",
        "poll b within 7.75 s at 2.25",
    ]
    assert ended == [("a", 10), ("b", 10)]


def test_the_wait_ends_at_the_deadline_given_not_the_timeout() -> None:
    record, ended = _follow({"a": [_action("a", False, 3)] * 9}, deadline_at=101.0)
    assert record == ["poll a within 1 s at 0", "sleep 0.5", "poll a within 0.25 s at 0.75"]
    assert ended == (
        "BulkActionTimeout",
        "bulk action a still in progress after 10 s (qstash); 3 of 10 processed; follow a",
        {
            "message": "bulk action a still in progress after 10 s",
            "provider": "qstash",
            "attempts": 0,
            "action_ids": ("a",),
            "processed": 3,
            "total": 10,
        },
    )


def test_a_sleep_is_cut_to_the_wait_left_then_the_wait_ends() -> None:
    record, ended = _follow({"a": [_action("a", False, 4)] * 9}, wait_timeout=1.0)
    assert record == ["poll a within 1 s at 0", "sleep 0.5", "poll a within 0.25 s at 0.75"]
    assert ended[0] == "BulkActionTimeout"
    assert ended[2]["message"] == "bulk action a still in progress after 1 s"
    assert ended[2]["processed"] == 4


def test_counts_of_a_timeout_hold_what_finished_and_the_last_answer() -> None:
    record, ended = _follow(
        {"a": [_action("a", True, 10)], "b": [_action("b", False, 6)] * 9}, wait_timeout=1.0
    )
    assert record == ["poll a within 1 s at 0", "poll b within 0.75 s at 0.25", "sleep 0.5"]
    assert ended[0] == "BulkActionTimeout"
    assert ended[2]["message"] == "bulk action b still in progress after 1 s"
    assert (ended[2]["action_ids"], ended[2]["processed"], ended[2]["total"]) == (
        ("a", "b"),
        16,
        20,
    )


def test_a_poll_that_fails_once_the_wait_is_over_is_a_timeout() -> None:
    failed = unsend.TransportError("reset")
    record, ended = _follow({"a": [_action("a", False, 2), failed]}, wait_timeout=1.0, took=0.3)
    assert record == ["poll a within 1 s at 0", "sleep 0.5", "poll a within 0.2 s at 0.8"]
    assert ended[0] == "BulkActionTimeout"
    assert ended[2]["message"] == "bulk action a still in progress after 1 s"
    assert ended[2]["processed"] == 2  # the last answer about it, before the failure


def test_a_poll_that_fails_at_the_deadline_exactly_is_a_timeout() -> None:
    """b's first poll fails just as the wait ends: the timeout counts what finished (a)."""
    failed = unsend.TransportError("reset")
    record, ended = _follow(
        {"a": [_action("a", True, 10)], "b": [failed]}, wait_timeout=1.0, took=0.5
    )
    assert record == ["poll a within 1 s at 0", "poll b within 0.5 s at 0.5"]
    assert ended[0] == "BulkActionTimeout"
    assert (ended[2]["processed"], ended[2]["total"]) == (10, 10)


def test_a_poll_that_fails_with_time_left_is_its_own_error() -> None:
    failed = unsend.TransportError("reset", provider="qstash")
    record, ended = _follow({"a": [failed]})
    assert record == ["poll a within 10 s at 0"]
    assert ended[:2] == ("TransportError", "reset (qstash)")


@pytest.mark.parametrize("kind", ["delete", "DLQ"])
def test_an_action_of_another_kind_is_refused(kind: str) -> None:
    _, ended = _follow({"a": [_action("a", True, 10, kind=kind)]})
    assert ended == (
        "UnexpectedResponse",
        f"bulk action a is a {kind!r}, not a cancel (qstash)",
        {
            "message": f"bulk action a is a {kind!r}, not a cancel",
            "provider": "qstash",
            "attempts": 0,
            "body_excerpt": "",
        },
    )


def test_a_cancel_of_any_case_is_a_cancel() -> None:
    _, ended = _follow({"a": [_action("a", True, 10, kind="CANCEL")]})
    assert ended == [("a", 10)]


# -- bulk_steps: the requests of a plan, bounded in count and by the wait --------------------


class _EndlessPlan:
    """A plan whose every answer asks for another request (a server that never says done)."""

    def __init__(self) -> None:
        self.recorded = 0

    def next_request(self) -> httpx.Request:
        return httpx.Request("DELETE", "https://qstash.example/v2/messages")

    def record(self, answer: BulkAnswer) -> None:
        self.recorded += 1

    def result(self, elapsed: float) -> unsend.BulkResult:
        return unsend.BulkResult("qstash", self.recorded, self.recorded, ("act_9",), elapsed)


def _bulk(plan: Any, *, wait_timeout: float | None, took: float) -> tuple[int, Any]:
    clock = FakeClock(start=100.0)
    budgets: list[float | None] = []

    class _Answer:
        def steps(self) -> Generator[Any, Any, BulkAnswer]:
            clock.advance(took)
            return BulkAnswer(1)
            yield

    def call_for(request: httpx.Request, left: float | None) -> Any:
        budgets.append(left)
        return _Answer()

    machine = bulk_steps(plan, call_for, clock, None, wait_timeout)
    try:
        next(machine)
    except StopIteration as done:
        return len(budgets), done.value
    except unsend.BulkActionTimeout as error:
        return len(budgets), (str(error), error.processed, error.action_ids, budgets[:3])
    raise AssertionError("bulk_steps yielded a step no answer here makes")


def test_a_plan_that_never_ends_stops_at_the_request_bound() -> None:
    sent, ended = _bulk(_EndlessPlan(), wait_timeout=None, took=0.0)
    assert sent == MAX_BULK_REQUESTS
    assert ended == (
        f"bulk cancel not done after {MAX_BULK_REQUESTS} requests (wait_timeout None); "
        f"{MAX_BULK_REQUESTS} cancelled so far (qstash); "
        f"{MAX_BULK_REQUESTS} processed; follow act_9",
        MAX_BULK_REQUESTS,
        ("act_9",),
        [None, None, None],
    )


def test_a_plan_stops_when_the_wait_is_spent_exactly() -> None:
    sent, ended = _bulk(_EndlessPlan(), wait_timeout=1.0, took=0.25)
    assert sent == 4  # at 0, 0.25, 0.5, 0.75; at 1.0 nothing is left
    assert ended[0].startswith("bulk cancel not done out of time (wait_timeout 1.0); 4 cancelled")
    assert ended[3] == [1.0, 0.75, 0.5]  # each request gets what is left of the wait
