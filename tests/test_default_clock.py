"""``unsend_fake_clock``: an app that builds its own router from the environment never waits."""

from __future__ import annotations

import threading

import unsend
from unsend.testing import EmulatorFixture, FakeClock, default_clock


def test_an_app_configured_from_the_environment_sleeps_on_the_tests_clock(
    unsend_emulator: EmulatorFixture, unsend_fake_clock: FakeClock
) -> None:
    emu = unsend_emulator
    (message_id,) = emu.seed("courier")
    emu.set_faults("courier", rate_limit_rate=1.0, max_faults=2, retry_after=3)
    router = unsend.Router.from_env(environ=emu.env())  # what the app does: no clock given
    with router:
        result = router.cancel(f"courier:{message_id}")
    assert result.cancelled
    assert unsend_fake_clock.sleeps == [3.0, 3.0]  # Retry-After, twice, on the fake clock


def test_the_default_reaches_other_threads_and_is_restored() -> None:
    fake = FakeClock()
    built: list[unsend.Canceller] = []
    with default_clock(fake):
        worker = threading.Thread(
            target=lambda: built.append(unsend.Canceller(unsend.Courier("t")))
        )
        worker.start()
        worker.join()
    after = unsend.Canceller(unsend.Courier("t"))
    assert built[0].clock is fake
    assert isinstance(after.clock, unsend.SystemClock)
    explicit = FakeClock()
    with default_clock(fake):
        assert unsend.Canceller(unsend.Courier("t"), clock=explicit).clock is explicit
    for canceller in (*built, after):
        canceller.close()
