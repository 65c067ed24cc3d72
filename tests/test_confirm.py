"""``confirmed``: what the read after a cancel makes of its result, over every pair."""

from __future__ import annotations

import pytest

from unsend import CancelResult, MessageState, MessageStatus, Outcome
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
    elif state is MessageState.CANCELLED:
        expected = Outcome.CANCELLED if outcome is Outcome.REQUESTED else outcome
        assert done.outcome is expected
        assert "confirmed" in done.detail
    elif state is MessageState.SENT:
        assert done.outcome is Outcome.NOT_CANCELLABLE  # the race: it went out meanwhile
    elif state is MessageState.SCHEDULED:
        assert done.outcome is Outcome.REQUESTED
        assert "still shows it its-word" in done.detail
    else:
        assert done.outcome is outcome  # a read that cannot tell contradicts nothing
    assert done.cancelled == (
        outcome in (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED, Outcome.REQUESTED)
        and state not in (MessageState.SENT, MessageState.SCHEDULED)
        and (outcome is not Outcome.REQUESTED or state is MessageState.CANCELLED)
    )


def test_a_confirmed_result_survives_its_json_form() -> None:
    read = MessageStatus("courier", "1-a", MessageState.CANCELLED, "CANCELED", 200, None, 1, 0.1)
    result = confirmed(CancelResult("courier", "1-a", Outcome.CANCELLED, status_code=200), read)
    assert CancelResult.from_dict(result.to_dict()) == result
