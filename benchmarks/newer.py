"""9. The five newer providers: cancel_many (async) against raw aiohttp, same run, same emulator.

Their official SDKs are measured for fidelity in the tests, not here: each would need its own
harness (Twilio's and SendGrid's are sync-only clients), and the ceiling is what the ratio is for.
"""

from __future__ import annotations

from typing import Any

from benchmarks._common import median_of_rounds, timed
from benchmarks.throughput import _raw_aiohttp, _unsend_async
from unsend.testing import EmulatorFixture

NEWER = ("twilio", "resend", "sendgrid", "knock", "novu")
CONTENDERS = {"aiohttp_raw": _raw_aiohttp, "unsend_async": _unsend_async}


def measure(url: str, *, cancels: int, rounds: int) -> dict[str, Any]:
    emu = EmulatorFixture(url)
    results: dict[str, Any] = {}
    for provider in NEWER:
        figures: dict[str, Any] = {}
        for name, run in CONTENDERS.items():

            def one_round(run: Any = run, provider: str = provider, name: str = name) -> float:
                ids = emu.seed(provider, count=cancels)
                seconds = timed(lambda: run(emu, provider, ids))
                left = sum(1 for s in emu.states(provider).values() if s == "scheduled")
                if left:
                    raise RuntimeError(f"{name} left {left} messages scheduled at {provider}")
                emu.reset()
                return cancels / seconds

            figures[name] = median_of_rounds(one_round, rounds=rounds, warmup=1)
        per_second = {k: round(v["median"]) for k, v in figures.items()}
        results[provider] = {
            "cancels_per_second": per_second,
            "unsend_async_vs_aiohttp_raw": round(
                per_second["unsend_async"] / per_second["aiohttp_raw"], 2
            ),
        }
    emu.close()
    return results
