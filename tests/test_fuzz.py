"""Fuzzing: any response gives a CancelResult or an UnsendError; any id is refused or reaches
exactly its own message, never the bulk route and never another message."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import unsend
from tests.strategies import MESSAGE_IDS, responses
from unsend._engine.clock import FakeClock
from unsend.testing import EmulatorFixture

PROVIDERS = [unsend.QStash("t"), unsend.OneSignal("a", "k"), unsend.Courier("t")]
HTTP = httpx.Client()  # one client for every example: unsend never closes a passed-in client


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
@given(response=responses())
def test_any_response_is_an_outcome_or_an_unsend_error(
    provider: unsend.Provider, response: httpx.Response
) -> None:
    try:
        result = provider.cancel_result("msg_1", response)
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


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
@given(script=st.lists(responses(), min_size=1, max_size=3))
def test_any_response_sequence_through_the_client(
    provider: unsend.Provider, script: list[httpx.Response]
) -> None:
    steps = list(script)

    def handler(request: httpx.Request) -> httpx.Response:
        step = steps.pop(0) if steps else httpx.Response(200)
        return httpx.Response(step.status_code, headers=step.headers, content=step.content)

    canceller = unsend.Canceller(
        provider,
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=FakeClock(),
        retry=unsend.RetryPolicy(max_attempts=3, deadline=60),
    )
    attempts: int
    try:
        attempts = canceller.cancel("msg_1").attempts
    except unsend.UnsendError as error:
        attempts = error.attempts
    assert 1 <= attempts <= 3


@pytest.mark.parametrize("name", ["qstash", "onesignal", "courier"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message_id=MESSAGE_IDS)
def test_any_id_is_refused_or_cancels_exactly_its_own_message(
    unsend_emulator_server: object, name: str, message_id: str
) -> None:
    emu = EmulatorFixture(unsend_emulator_server.url)  # type: ignore[attr-defined]
    emu.reset()
    try:
        sentinel = emu.seed(name, message_id="sentinel-message")[0]
        try:
            unsend.validate_message_id(message_id)
        except unsend.InvalidMessageId:
            with pytest.raises(unsend.InvalidMessageId):
                unsend.Canceller(emu.provider(name), client=HTTP).cancel(message_id)
            assert emu.stats()[name] == {}  # refused before any request
            return
        emu.seed(name, message_id=message_id)
        canceller = unsend.Canceller(
            emu.provider(name), client=HTTP, retry=unsend.RetryPolicy.never()
        )
        result = canceller.cancel(message_id)
        assert result.outcome is unsend.Outcome.CANCELLED, result
        states = emu.states(name)
        assert states[message_id] == "cancelled"  # the server decoded the id intact
        assert states[sentinel] == "scheduled"  # nothing else was touched: no bulk route
    finally:
        emu.close()
