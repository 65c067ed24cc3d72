"""3. Against a rate-limited provider: the rate achieved as a share of the limit, and 429s."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import unsend
from unsend.testing import EmulatorFixture

LIMIT = 500  # requests per second, OneSignal-style 429 with Retry-After
# Burst allowances: a second's worth (a per-second window, as APIs commonly count), and a strict
# 50 ms worth, where any scheduling jitter on this 2-core machine turns into a 429.
BURSTS = {"window_1s": LIMIT, "strict_50ms": LIMIT // 20}


# Enough attempts that waiting out 429s, not giving up, is what is measured.
PATIENT = unsend.RetryPolicy(max_attempts=100, deadline=600)


def _run(emu: EmulatorFixture, ids: list[str], max_rate: float | None) -> tuple[float, int]:
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
    emu = EmulatorFixture(url)
    results: dict[str, Any] = {"limit_per_second": LIMIT}
    # Without max_rate, whole-second Retry-After against a small burst is slow by nature: that
    # run is a sixth of the size.
    runs = [
        (f"max_rate_0.97_{name}", LIMIT * 0.97, cancels, burst) for name, burst in BURSTS.items()
    ]
    runs.append(
        ("shared_pause_only_strict_50ms", None, max(50, cancels // 6), BURSTS["strict_50ms"])
    )
    for label, max_rate, count, burst in runs:
        emu.reset()
        ids = emu.seed("onesignal", count=count)
        emu.set_faults("onesignal", limit_rps=LIMIT, limit_burst=burst)
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
