"""``confirmed``: what the read after a cancel makes of its result, over every pair."""

from __future__ import annotations

import httpx
import pytest

import unsend
from tests.helpers import courier_record, response, run_cancel
from unsend import CancelResult, MessageState, MessageStatus, Outcome, RetryPolicy
from unsend._engine.clock import FakeClock
from unsend._engine.confirm import confirmed

CLAIMS = (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED, Outcome.REQUESTED)


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("state", list(MessageState))
def test_the_read_confirms_or_lowers_never_raises_a_claim(
    outcome: Outcome, state: MessageState
) -> None:
    result = CancelResult("p", "m1", outcome, detail="as answered")
    read = MessageStatus("p", "m1", state, provider_state="its-word")
    done = confirmed(result, read)
    assert done.confirmation == read
    assert done.detail is not None
    assert done.detail.startswith("as answered; ")
    if outcome not in CLAIMS:
        assert done.outcome is outcome  # nothing claimed, nothing to confirm or lower
        assert done.detail == "as answered; read back: its-word"
    elif state is MessageState.CANCELLED:
        expected = Outcome.CANCELLED if outcome is Outcome.REQUESTED else outcome
        assert done.outcome is expected
        assert done.detail == "as answered; confirmed: the provider shows it its-word"
    elif state is MessageState.SENT:
        assert done.outcome is Outcome.NOT_CANCELLABLE  # the race: it went out meanwhile
        assert done.detail == "as answered; not stopped: the provider now shows it its-word"
    elif state is MessageState.SCHEDULED:
        assert done.outcome is Outcome.REQUESTED
        assert done.detail == "as answered; not confirmed: the provider still shows it its-word"
    else:
        assert done.outcome is outcome  # a read that cannot tell contradicts nothing
        assert done.detail == "as answered; read back: its-word"
    assert done.cancelled == (
        outcome in (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED, Outcome.REQUESTED)
        and state not in (MessageState.SENT, MessageState.SCHEDULED)
        and (outcome is not Outcome.REQUESTED or state is MessageState.CANCELLED)
    )


@pytest.mark.parametrize(
    ("provider_state", "read_detail", "note"),
    [
        (None, None, "read back: not_found"),
        ("gone", None, "read back: gone"),
        (None, "no such message", "read back: not_found (no such message)"),
    ],
)
def test_a_read_that_cannot_tell_says_what_it_read(
    provider_state: str | None, read_detail: str | None, note: str
) -> None:
    result = CancelResult("p", "m1", Outcome.CANCELLED)  # no detail of its own
    read = MessageStatus("p", "m1", MessageState.NOT_FOUND, provider_state, detail=read_detail)
    done = confirmed(result, read)
    assert done.outcome is Outcome.CANCELLED
    assert done.detail == note


def test_a_confirmed_result_survives_its_json_form() -> None:
    read = MessageStatus("courier", "1-a", MessageState.CANCELLED, "CANCELED", 200, None, 1, 0.1)
    result = confirmed(CancelResult("courier", "1-a", Outcome.CANCELLED, status_code=200), read)
    assert CancelResult.from_dict(result.to_dict()) == result


def _confirm_after(
    mode: str, cancel_takes: float, read: httpx.Response | None = None
) -> tuple[CancelResult, list[str]]:
    """A Courier cancel (10 s deadline) whose answer arrives ``cancel_takes`` seconds in, then
    the read ``confirm=True`` makes if time is left (answered ``read``, else the message shown
    cancelled after 0.25 s); the methods the server saw, in order."""
    clock = FakeClock()
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if request.method == "POST":
            clock.advance(cancel_takes)
            return response(200, courier_record("CANCELED"))
        if read is not None:
            return read
        clock.advance(0.25)
        return response(200, courier_record("CANCELED"))

    policy = RetryPolicy(deadline=10, jitter=0)
    result = run_cancel(
        mode, unsend.Courier("courier-token"), answer, clock=clock, retry=policy, confirm=True
    )
    return result, seen


def test_a_cancel_that_used_the_whole_deadline_is_not_confirmed(mode: str) -> None:
    result, seen = _confirm_after(mode, cancel_takes=10)
    assert seen == ["POST"]  # no read started with no time left
    assert result.outcome is Outcome.CANCELLED  # the cancel's own answer stands
    assert result.confirmation is None
    assert result.detail is not None
    assert result.detail.endswith("not confirmed: no time left to read")


def test_half_a_second_left_is_time_enough_to_read(mode: str) -> None:
    result, seen = _confirm_after(mode, cancel_takes=9.5)
    assert seen == ["POST", "GET"]
    assert result.confirmation is not None
    assert result.confirmation.state is MessageState.CANCELLED
    assert result.confirmation.attempts == 1
    assert result.confirmation.elapsed == 0.25  # the read's own time, on the injected clock
    assert result.elapsed == 9.75  # the whole call: cancel and read
    assert result.detail is not None
    assert "confirmed: the provider shows it CANCELED" in result.detail


def test_the_read_gets_only_the_time_left(mode: str) -> None:
    """A read answered 429 "retry in 1 s" with 0.5 s left gives up rather than overrun."""
    slow_down = response(429, {"message": "slow down"}, headers={"Retry-After": "1"})
    result, seen = _confirm_after(mode, cancel_takes=9.5, read=slow_down)
    assert seen == ["POST", "GET"]
    assert result.outcome is Outcome.CANCELLED
    assert result.confirmation is None
    assert result.detail is not None
    assert "not confirmed: " in result.detail


def test_the_confirmation_counts_the_reads_own_attempts(mode: str) -> None:
    """The read retried once (503, then the record): its attempts are the read's, not one."""
    clock = FakeClock()
    reads = [response(503), response(200, courier_record("CANCELED"))]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return response(200, courier_record("CANCELED"))
        return reads.pop(0)

    policy = RetryPolicy(deadline=10, jitter=0)
    result = run_cancel(
        mode, unsend.Courier("courier-token"), answer, clock=clock, retry=policy, confirm=True
    )
    assert result.confirmation is not None
    assert result.confirmation.attempts == 2
    assert result.confirmation.elapsed == sum(clock.sleeps)  # its backoff, on the fake clock
