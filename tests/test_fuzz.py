"""Fuzzing, for every registered provider (the conformance cases): any response gives a
CancelResult or an UnsendError; any id is refused before a request or reaches exactly its own
message, never the bulk route and never another message."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import unsend
from tests.strategies import MESSAGE_IDS, responses
from unsend._engine.clock import FakeClock
from unsend.testing import EmulatorFixture

from .conformance.cases import Case, all_cases

CASES = list(all_cases().values())
NOWHERE = "https://provider.invalid"  # the mocked tests never send; this only fills base_url
HTTP = httpx.Client()  # one client for every example: unsend never closes a passed-in client
# Every provider shares the budget the first three had (the profile's examples, three times
# over), so a provider added costs the suite nothing: 28 examples each under the default profile,
# 937 under UNSEND_LONG=1.
EACH = settings(max_examples=max(20, settings.default.max_examples * 3 // len(CASES)))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@EACH
@given(response=responses())
def test_any_response_is_an_outcome_or_an_unsend_error(
    case: Case, response: httpx.Response
) -> None:
    try:
        result = case.provider(NOWHERE).cancel_result(case.message_id, response)
    except unsend.UnsendError:
        return
    assert isinstance(result, unsend.CancelResult)
    assert result.outcome is not unsend.Outcome.FAILED


@given(response=responses())
def test_any_bulk_answer_is_an_answer_or_an_unsend_error(response: httpx.Response) -> None:
    try:
        answer = unsend.QStash("t").bulk_cancel_result(response)
    except unsend.UnsendError:
        return
    assert answer.cancelled is None or answer.cancelled >= 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@EACH
@given(script=st.lists(responses(), min_size=1, max_size=3))
def test_any_response_sequence_through_the_client(case: Case, script: list[httpx.Response]) -> None:
    steps = list(script)

    def handler(request: httpx.Request) -> httpx.Response:
        step = steps.pop(0) if steps else httpx.Response(200)
        return httpx.Response(step.status_code, headers=step.headers, content=step.content)

    canceller = unsend.Canceller(
        case.provider(NOWHERE),
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=FakeClock(),
        retry=unsend.RetryPolicy(max_attempts=3, deadline=60),
    )
    attempts: int
    try:
        attempts = canceller.cancel(case.message_id).attempts
    except unsend.UnsendError as error:
        attempts = error.attempts
    assert 1 <= attempts <= 3


@pytest.mark.parametrize("name", [case.name for case in CASES])
@settings(EACH, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message_id=MESSAGE_IDS)
def test_any_id_is_refused_or_cancels_exactly_its_own_message(
    unsend_emulator_server: object, name: str, message_id: str
) -> None:
    emu = EmulatorFixture(unsend_emulator_server.url)  # type: ignore[attr-defined]
    emu.reset()
    try:
        (sentinel,) = emu.seed(name)  # a message of the provider's own id shape
        (seeded,) = emu.seed(name, message_id=message_id)  # as the provider keeps it
        canceller = unsend.Canceller(
            emu.provider(name), client=HTTP, retry=unsend.RetryPolicy.never()
        )
        try:
            result = canceller.cancel(message_id)
        except unsend.InvalidMessageId:
            assert emu.stats()[name] == {}  # refused before any request
            return
        # Accepted ("requested") where the provider's success claims no more than that.
        assert result.outcome in (unsend.Outcome.CANCELLED, unsend.Outcome.REQUESTED), result
        states = emu.states(name)
        assert states[seeded] == "cancelled"  # the server decoded the id intact
        assert states[sentinel] == "scheduled"  # nothing else was touched: no bulk route
    finally:
        emu.close()
