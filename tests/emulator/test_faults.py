"""The faults a user's own tests need: a 500, a malformed 200, credentials revoked mid-run."""

from __future__ import annotations

import attrs
import pytest

import unsend
from unsend.emulator._faults import Faults, FaultSettings
from unsend.testing import EmulatorFixture, FakeClock


def test_the_typed_settings_are_exactly_the_fault_fields() -> None:
    assert set(FaultSettings.__annotations__) == {f.name for f in attrs.fields(Faults)}


@pytest.mark.parametrize("provider", ["qstash", "onesignal", "courier"])
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


@pytest.mark.parametrize("provider", ["qstash", "onesignal", "courier"])
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
