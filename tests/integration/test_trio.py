"""AsyncCanceller.cancel on trio: aiohttp is asyncio-only, so unsend's lane falls back to httpx."""

from __future__ import annotations

import anyio

import unsend
from unsend.testing import EmulatorFixture


def test_cancel_on_trio_with_unsends_own_client(unsend_emulator: EmulatorFixture) -> None:
    ids = unsend_emulator.seed("courier", count=2)

    async def main() -> list[unsend.CancelResult]:
        async with unsend_emulator.async_canceller("courier") as canceller:
            return [await canceller.cancel(i) for i in ids]

    results = anyio.run(main, backend="trio")
    assert [r.outcome for r in results] == [unsend.Outcome.CANCELLED] * 2
    assert set(unsend_emulator.states("courier").values()) == {"cancelled"}


def test_retries_sleep_on_trio(unsend_emulator: EmulatorFixture) -> None:
    [message_id] = unsend_emulator.seed("onesignal")
    unsend_emulator.set_faults("onesignal", rate_limit_rate=1.0, retry_after=0, max_faults=1)

    async def main() -> unsend.CancelResult:
        async with unsend_emulator.async_canceller("onesignal") as canceller:
            return await canceller.cancel(message_id)

    result = anyio.run(main, backend="trio")
    assert (result.outcome, result.attempts) == (unsend.Outcome.CANCELLED, 2)
