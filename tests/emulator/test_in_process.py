"""The emulator in this process, without a port: the same answers through an ASGI transport."""

from __future__ import annotations

import socket

import anyio
import pytest

import unsend
from unsend.emulator._kit import emulated
from unsend.testing import EmulatorFixture

from ..conformance.cases import all_cases

ACCEPTED = (unsend.Outcome.CANCELLED, unsend.Outcome.REQUESTED)


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("in-process mode opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.usefixtures("no_sockets")
def test_every_provider_cancels_in_process(unsend_emulator_in_process: EmulatorFixture) -> None:
    emu = unsend_emulator_in_process
    names = emu.names()
    assert set(names) >= set(all_cases())  # every registered provider the emulator knows
    for name in names:
        (message_id,) = emu.seed(name, count=1)
        with emu.canceller(name) as canceller:
            # CANCELLED, or REQUESTED where the provider's success claims no more
            assert canceller.cancel(message_id).outcome in ACCEPTED
            assert not canceller.cancel(emulated(name).new_id()).cancelled  # never scheduled
        assert emu.states(name)[message_id] == "cancelled"


@pytest.mark.usefixtures("no_sockets")
def test_async_and_routers_in_process(unsend_emulator_in_process: EmulatorFixture) -> None:
    emu = unsend_emulator_in_process
    refs = [f"courier:{i}" for i in emu.seed("courier", count=5)]
    refs += [f"qstash:{i}" for i in emu.seed("qstash", count=5)]

    async def main() -> list[unsend.CancelResult]:
        async with emu.async_router() as router:
            return [r async for r in router.cancel_many(refs, concurrency=3)]

    results = anyio.run(main)
    assert sorted(str(r.ref) for r in results) == sorted(refs)
    assert all(r.cancelled for r in results)
    with emu.router() as router:
        (late,) = emu.seed("onesignal", count=1)
        assert router.cancel(f"onesignal:{late}").cancelled


def test_faults_and_the_virtual_clock_in_process(
    unsend_emulator_in_process: EmulatorFixture,
) -> None:
    emu = unsend_emulator_in_process
    emu.seed("qstash", count=10, fields={"label": "x"})
    emu.set_faults("qstash", bulk_rate=2)
    with emu.canceller("qstash", clock=emu.clock()) as canceller:
        result = canceller.cancel_matching(label="x")
    assert result.cancelled == 10
    emu.set_faults("courier", server_error_rate=1.0)
    (message_id,) = emu.seed("courier", count=1)
    with emu.canceller("courier") as canceller, pytest.raises(unsend.ProviderUnavailable):
        canceller.cancel(message_id)
