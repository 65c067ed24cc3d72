"""``confirm=True``: after a cancel, one read of the message within the same deadline, and what
that read says turned into the result. Pure: the read is a ``Call`` the drivers perform.

The read can only lower a claim or confirm one, never claim what it did not see: an accepted
cancel becomes CANCELLED only when the provider shows the message cancelled; a message the
provider now shows sent was not stopped, whatever the cancel's answer said (the race).
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import attrs

from .._errors import UnsendError
from .._result import CancelResult, MessageState, MessageStatus, Outcome
from .call import Call, Reply, Step

__all__ = ["confirm_steps", "confirmed"]

_CLAIMS = (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED, Outcome.REQUESTED)


def _noted(result: CancelResult, note: str) -> str:
    return f"{result.detail}; {note}" if result.detail else note


def confirmed(result: CancelResult, status: MessageStatus) -> CancelResult:
    """The cancel's result as the read after it shows it."""
    state = status.state
    outcome = result.outcome
    shown = status.provider_state or state.value
    if outcome in _CLAIMS and state is MessageState.CANCELLED:
        if outcome is Outcome.REQUESTED:
            outcome = Outcome.CANCELLED
        note = f"confirmed: the provider shows it {shown}"
    elif outcome in _CLAIMS and state is MessageState.SENT:
        outcome = Outcome.NOT_CANCELLABLE
        note = f"not stopped: the provider now shows it {shown}"
    elif outcome in _CLAIMS and state is MessageState.SCHEDULED:
        outcome = Outcome.REQUESTED
        note = f"not confirmed: the provider still shows it {shown}"
    else:
        note = f"read back: {shown}" + (f" ({status.detail})" if status.detail else "")
    return attrs.evolve(result, outcome=outcome, detail=_noted(result, note), confirmation=status)


def confirm_steps(
    cancel: Generator[Step, Reply, CancelResult],
    call: Call[CancelResult],
    read: Callable[[float], Call[MessageStatus]],
) -> Generator[Step, Reply, CancelResult]:
    """The cancel, then ``read(time_left)``, inside the cancel's deadline. A read that fails or
    finds no time left leaves the cancel's result as it was, saying why it is unconfirmed."""
    result = yield from cancel
    left = call.deadline_at - call.clock.monotonic()
    if result.outcome is Outcome.FAILED:
        return result
    if left <= 0:
        return attrs.evolve(result, detail=_noted(result, "not confirmed: no time left to read"))
    reader = read(left)
    try:
        status = yield from reader.steps()
    except UnsendError as error:
        return attrs.evolve(result, detail=_noted(result, f"not confirmed: {error}"))
    status = attrs.evolve(
        status,
        attempts=reader.attempts,
        elapsed=call.clock.monotonic() - reader.started,
    )
    done = confirmed(result, status)
    return attrs.evolve(done, elapsed=call.clock.monotonic() - call.started)
