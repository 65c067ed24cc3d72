"""7. What the whole-attempt deadline guard costs per call.

Sync: the same sequential cancels through unsend's own client (its pool connects through the
deadline-aware network backend) and through a caller's plain ``httpx.Client`` (no backend
guard), one connection each, in the same run. Async: the cancel scope that bounds each attempt,
timed alone around one await (asyncio), since an attempt cannot run without it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anyio
import httpx

from benchmarks._common import PROVIDERS, median_of_rounds, timed
from unsend._engine.pools import LANE_LIMITS
from unsend.testing import EmulatorFixture


def _scope_cost(n: int) -> dict[str, float]:
    async def bare() -> float:
        started = time.perf_counter()
        for _ in range(n):
            await asyncio.sleep(0)
        return time.perf_counter() - started

    async def scoped() -> float:
        started = time.perf_counter()
        for _ in range(n):
            with anyio.move_on_after(30):
                await asyncio.sleep(0)
        return time.perf_counter() - started

    plain = min(asyncio.run(bare()) for _ in range(3))
    guarded = min(asyncio.run(scoped()) for _ in range(3))
    return {"microseconds_per_attempt": round((guarded - plain) / n * 1e6, 2)}


def measure(url: str, *, calls: int, rounds: int) -> dict[str, Any]:
    emu = EmulatorFixture(url)
    sync: dict[str, Any] = {}
    for provider in PROVIDERS:
        plain = httpx.Client(limits=LANE_LIMITS)
        contenders = {
            "guarded": emu.canceller(provider),
            "unguarded": emu.canceller(provider, client=plain),
        }
        figures = {}
        for name, canceller in contenders.items():

            def one_round(canceller: Any = canceller, provider: str = provider) -> float:
                ids = emu.seed(provider, count=calls)
                return timed(lambda: [canceller.cancel(i) for i in ids]) / calls * 1e6

            figures[name] = median_of_rounds(one_round, rounds=rounds)["median"]
            canceller.close()
        plain.close()
        sync[provider] = {
            "microseconds_per_cancel": {k: round(v, 1) for k, v in figures.items()},
            "guarded_vs_unguarded": round(figures["guarded"] / figures["unguarded"], 3),
        }
    emu.close()
    return {"sync": sync, "async_scope": _scope_cost(max(calls * 20, 1000))}
