"""cancel_many against the emulator under faults: nothing lost, truth matched, one shared pause."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import unsend
from unsend import Outcome
from unsend.emulator._kit import emulated
from unsend.testing import EmulatorFixture

from ..conformance.cases import all_cases

NAMES = list(all_cases())  # every registered provider the emulator knows
FAST_RETRY = unsend.RetryPolicy(max_attempts=15, initial=0.005, max=0.02, jitter=0.005)


def cancel_all(emu: EmulatorFixture, provider: str, ids: list[str], **kwargs: Any) -> list[Any]:
    async def main() -> list[unsend.CancelResult]:
        async with emu.async_canceller(provider, retry=FAST_RETRY) as canceller:
            return [r async for r in canceller.cancel_many(ids, **kwargs)]

    return anyio.run(main)


@pytest.mark.parametrize("provider", NAMES)
def test_under_20_percent_faults_every_id_gets_the_true_outcome(
    unsend_emulator: EmulatorFixture, provider: str
) -> None:
    emu = unsend_emulator
    # What each kind of id gets without faults (the provider's own table): under faults, every
    # id must get exactly that, once, and agree with the emulator's ground truth.
    probe = [
        *emu.seed(provider),
        *emu.seed(provider, state="delivered"),
        emulated(provider).new_id(),
    ]
    clean = [r.outcome for r in cancel_all(emu, provider, probe, ordered=True)]
    scheduled = emu.seed(provider, count=120)
    delivered = emu.seed(provider, count=40, state="delivered")
    unknown = [emulated(provider).new_id() for _ in range(40)]  # valid, never scheduled
    # 10% 429 and 10% 503 (bodies of every kind), waits short enough to keep the test quick.
    emu.set_faults(
        provider,
        seed=11,
        rate_limit_rate=0.1,
        retry_after=None,  # the provider's own 429 (some name a wait, in whole seconds)
        unavailable_rate=0.1,
        unavailable_body="binary",
    )
    ids = scheduled + delivered + unknown
    results = cancel_all(emu, provider, ids, concurrency=32)

    assert sorted(r.message_id for r in results) == sorted(ids)  # exactly one result per id
    by_id = {r.message_id: r for r in results}
    for kind, outcome in zip((scheduled, delivered, unknown), clean, strict=True):
        assert {by_id[i].outcome for i in kind} == {outcome}
    truth = emu.states(provider)
    for message_id, result in by_id.items():
        cancelled = truth.get(message_id) == "cancelled"
        # CANCELLED exactly when it was; an accepting provider's REQUESTED claims no more.
        assert result.cancelled == cancelled or (
            cancelled and result.outcome is Outcome.REQUESTED
        ), message_id
    stats = emu.stats()[provider]
    assert stats.get("429", 0) > 5
    assert stats.get("503", 0) > 5
    assert any(r.attempts > 1 for r in results)


def test_one_429_pauses_every_worker(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    ids = emu.seed("onesignal", count=80)
    # Ten workers with 50 ms answers offer ~200 requests/s to a 100/s bucket: without a shared
    # pause, the workers not yet limited keep sending through the 1 s Retry-After of the others.
    emu.set_faults("onesignal", limit_rps=100, limit_burst=10, latency_ms=50)
    results = cancel_all(emu, "onesignal", ids, concurrency=10)
    assert all(r.outcome is Outcome.CANCELLED for r in results)
    events = emu.events("onesignal")
    first_429 = next(t for t, answer in events if answer == "429")
    # Requests already in flight are answered up to 50 ms later; none is sent during the pause.
    during_pause = [a for t, a in events if first_429 + 0.1 < t < first_429 + 0.9]
    assert during_pause == []


def test_max_rate_keeps_under_the_providers_limit(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    ids = emu.seed("courier", count=200)
    emu.set_faults("courier", limit_rps=250, limit_burst=10)
    results = cancel_all(emu, "courier", ids, concurrency=16, max_rate=200)
    assert all(r.outcome is Outcome.CANCELLED for r in results)
    answers = [a for _, a in emu.events("courier")]
    assert answers.count("429") <= len(answers) * 0.02
