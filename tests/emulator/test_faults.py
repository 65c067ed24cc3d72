"""The faults a user's own tests need: a 500, a malformed 200, credentials revoked mid-run."""

from __future__ import annotations

import attrs
import pytest

import unsend
from unsend.emulator._faults import Faults, FaultSettings
from unsend.testing import EmulatorFixture, FakeClock

from ..conformance.cases import all_cases

NAMES = list(all_cases())  # every registered provider the emulator knows


def test_the_typed_settings_are_exactly_the_fault_fields() -> None:
    assert set(FaultSettings.__annotations__) == {f.name for f in attrs.fields(Faults)}


@pytest.mark.parametrize("provider", NAMES)
def test_a_500_is_provider_unavailable_and_not_retried(
    provider: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    emu.set_faults(provider, server_error_rate=1.0)
    (message_id,) = emu.seed(provider, count=1)
    with (
        emu.canceller(provider, clock=FakeClock()) as canceller,
        pytest.raises(unsend.ProviderUnavailable) as caught,
    ):
        canceller.cancel(message_id)
    assert caught.value.status_code == 500
    assert caught.value.attempts == 1  # 500 is not among the retried statuses (README)
    assert emu.states(provider)[message_id] == "scheduled"


@pytest.mark.parametrize("provider", NAMES)
def test_a_malformed_200_is_unexpected_though_the_cancel_happened(
    provider: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    emu.set_faults(provider, malformed_rate=1.0)
    (message_id,) = emu.seed(provider, count=1)
    with emu.canceller(provider) as canceller, pytest.raises(unsend.UnexpectedResponse):
        canceller.cancel(message_id)
    assert emu.states(provider)[message_id] == "cancelled"


def test_credentials_revoked_mid_run(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    ids = emu.seed("courier", count=6)
    emu.set_faults("courier", revoke_after=2)
    with emu.canceller("courier") as canceller:
        assert canceller.cancel(ids[0]).cancelled
        assert canceller.cancel(ids[1]).cancelled
        with pytest.raises(unsend.AuthenticationError):
            canceller.cancel(ids[2])
        results = list(canceller.cancel_many(ids[3:]))
    assert all(isinstance(r.error, unsend.AuthenticationError) for r in results)
    assert [emu.states("courier")[i] for i in ids] == ["cancelled"] * 2 + ["scheduled"] * 4


def test_a_default_fake_clock_agrees_with_the_emulator_on_wall_time(
    unsend_emulator: EmulatorFixture,
) -> None:
    """A QStash Burst-RateLimit-Reset two seconds out is a two-second wait, not 2.8e7 s."""
    emu = unsend_emulator
    for clock in (FakeClock(), emu.clock()):
        emu.set_faults("qstash", rate_limit_rate=1.0, retry_after=2, max_faults=1)
        (message_id,) = emu.seed("qstash", count=1)
        with emu.canceller("qstash", clock=clock) as canceller:
            assert canceller.cancel(message_id).cancelled
        assert len(clock.sleeps) == 1
        # The reset is whole epoch seconds two seconds out (so 1 to 3 s), seen from a clock
        # whose wall time stood still since it was built while real time went on: up to 2 s
        # more on a loaded machine. What this guards against is 2.8e7 s, not a second.
        assert 1.0 <= clock.sleeps[0] <= 5.0


def _readings() -> list[tuple[str, str, str]]:
    from unsend.emulator import emulated_providers

    return [
        (name, answer, reading)
        for name, provider in emulated_providers().items()
        for answer, readings in provider.readings.items()
        for reading in readings
    ]


def test_undocumented_answers_can_be_played_every_way() -> None:
    assert len(_readings()) >= 8  # Twilio, Resend, SendGrid and Knock leave some unsaid


@pytest.mark.parametrize(("name", "answer", "reading"), _readings())
def test_no_reading_of_an_undocumented_answer_makes_a_result_claim_more(
    name: str, answer: str, reading: str
) -> None:
    """Whichever way the emulator plays what the provider leaves unsaid, no result says a
    message was stopped unless the emulator's ground truth says it was."""
    from unsend.emulator import emulated_providers
    from unsend.testing import InProcessEmulator

    with InProcessEmulator() as emu:
        emu.set_faults(name, readings={answer: reading})
        scheduled, delivered = emu.seed(name), emu.seed(name, state="delivered")
        unknown = emulated_providers()[name].new_id()
        ids = [*scheduled, *scheduled, *delivered, unknown]
        with emu.canceller(name, clock=FakeClock()) as canceller:
            results = list(canceller.cancel_many(ids, concurrency=1, ordered=True))
        truth = emu.states(name)
    for result in results:
        if result.cancelled:
            assert truth.get(result.message_id) == "cancelled", (reading, result)
    assert results[0].outcome in (unsend.Outcome.CANCELLED, unsend.Outcome.REQUESTED)
    assert not results[-1].cancelled  # never seeded


def test_an_unknown_reading_is_refused() -> None:
    from unsend.testing import InProcessEmulator

    with InProcessEmulator() as emu, pytest.raises(RuntimeError, match="no reading"):
        emu.set_faults("twilio", readings={"no_longer_scheduled_status": "418"})
