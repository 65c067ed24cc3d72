"""3. Against a rate-limited provider: the rate achieved as a share of the limit, and 429s."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from unsend.emulator import EmulatorClient

LIMIT = 500  # requests per second, OneSignal-style 429 with Retry-After
BURST = 25


def _run(emu: EmulatorClient, ids: list[str], max_rate: float | None) -> float:
    async def main() -> None:
        async with emu.async_canceller("onesignal") as canceller:
            async for result in canceller.cancel_many(ids, concurrency=50, max_rate=max_rate):
                if not result.cancelled:
                    raise RuntimeError(f"not cancelled: {result}")

    started = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - started


def measure(url: str, *, cancels: int) -> dict[str, Any]:
    emu = EmulatorClient(url)
    results: dict[str, Any] = {"limit_per_second": LIMIT}
    for label, max_rate in (("max_rate_0.97_of_limit", LIMIT * 0.97), ("shared_pause_only", None)):
        emu.reset()
        ids = emu.seed("onesignal", count=cancels)
        emu.set_faults("onesignal", limit_rps=LIMIT, limit_burst=BURST)
        seconds = _run(emu, ids, max_rate)
        answers = emu.stats()["onesignal"]
        requests = sum(answers.values())
        results[label] = {
            "cancels": cancels,
            "seconds": round(seconds, 3),
            "achieved_share_of_limit": round(cancels / seconds / LIMIT, 3),
            "share_answered_429": round(answers.get("429", 0) / requests, 4),
        }
    emu.reset()
    emu.close()
    return results
