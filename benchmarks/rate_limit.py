"""3. Against a rate-limited provider: the rate achieved as a share of the limit, and 429s."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import unsend
from unsend.emulator import EmulatorClient

LIMIT = 500  # requests per second, OneSignal-style 429 with Retry-After
BURST = 25


# Enough attempts that waiting out 429s, not giving up, is what is measured.
PATIENT = unsend.RetryPolicy(max_attempts=100, deadline=600)


def _run(emu: EmulatorClient, ids: list[str], max_rate: float | None) -> tuple[float, int]:
    async def main() -> int:
        cancelled = 0
        async with emu.async_canceller("onesignal", retry=PATIENT) as canceller:
            async for result in canceller.cancel_many(ids, concurrency=50, max_rate=max_rate):
                cancelled += result.cancelled
        return cancelled

    started = time.perf_counter()
    cancelled = asyncio.run(main())
    return time.perf_counter() - started, cancelled


def measure(url: str, *, cancels: int) -> dict[str, Any]:
    emu = EmulatorClient(url)
    results: dict[str, Any] = {"limit_per_second": LIMIT}
    # Without max_rate, whole-second Retry-After against a small burst is slow by nature: that
    # run is a sixth of the size.
    runs = (
        ("max_rate_0.97_of_limit", LIMIT * 0.97, cancels),
        ("shared_pause_only", None, max(50, cancels // 6)),
    )
    for label, max_rate, count in runs:
        emu.reset()
        ids = emu.seed("onesignal", count=count)
        emu.set_faults("onesignal", limit_rps=LIMIT, limit_burst=BURST)
        seconds, cancelled = _run(emu, ids, max_rate)
        answers = emu.stats()["onesignal"]
        requests = sum(answers.values())
        results[label] = {
            "cancels": count,
            "cancelled": cancelled,
            "seconds": round(seconds, 3),
            "achieved_share_of_limit": round(cancelled / seconds / LIMIT, 3),
            "share_answered_429": round(answers.get("429", 0) / requests, 4),
        }
    emu.reset()
    emu.close()
    return results
