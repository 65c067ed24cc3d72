"""2. Many cancels: cancel_many on the default transport (httpx: async pools, sync threads), on
transport="aiohttp" (async, and sync on its private loop) and with a caller's plain httpx client,
against raw aiohttp with a semaphore (the ceiling for Python here), naive httpx and each SDK's
best path, all at 50 concurrent requests against the same emulator in the same run."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from benchmarks._common import (
    PROVIDERS,
    median_of_rounds,
    raw_request,
    sdk_async_cancel,
    sdk_cancel,
    timed,
)
from unsend.testing import EmulatorFixture

CONCURRENCY = 50


async def _gather(cancel: Any, ids: list[str], concurrency: int) -> None:
    source = iter(ids)

    async def worker() -> None:
        for message_id in source:
            await cancel(message_id)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def _naive_httpx(emu: EmulatorFixture, provider: str, ids: list[str]) -> None:
    async def main() -> None:
        async with httpx.AsyncClient() as client:  # httpx's defaults, as most code has them

            async def cancel(message_id: str) -> None:
                response = await client.request(**raw_request(emu, provider, message_id))
                if response.content:
                    response.json()

            await _gather(cancel, ids, CONCURRENCY)

    asyncio.run(main())


def _raw_aiohttp(emu: EmulatorFixture, provider: str, ids: list[str]) -> None:
    """The ceiling: aiohttp with a semaphore, reading each answer, nothing else."""
    import aiohttp

    async def main() -> None:
        limit = asyncio.Semaphore(CONCURRENCY)
        async with aiohttp.ClientSession() as session:

            async def cancel(message_id: str) -> None:
                request = raw_request(emu, provider, message_id)
                async with limit, session.request(**request) as response:
                    await response.read()

            await asyncio.gather(*(cancel(i) for i in ids))

    asyncio.run(main())


def _unsend_async_plain_client(emu: EmulatorFixture, provider: str, ids: list[str]) -> None:
    """What a user who passes httpx.AsyncClient() gets: one httpcore pool."""

    async def main() -> None:
        client = httpx.AsyncClient()
        async with client, emu.async_canceller(provider, client=client) as canceller:
            async for _ in canceller.cancel_many(ids, concurrency=CONCURRENCY):
                pass

    asyncio.run(main())


def _unsend_async(
    emu: EmulatorFixture, provider: str, ids: list[str], transport: str = "httpx"
) -> None:
    async def main() -> None:
        async with emu.async_canceller(provider, transport=transport) as canceller:
            async for _ in canceller.cancel_many(ids, concurrency=CONCURRENCY):
                pass

    asyncio.run(main())


def _unsend_sync(
    emu: EmulatorFixture, provider: str, ids: list[str], transport: str = "httpx"
) -> None:
    with emu.canceller(provider, transport=transport) as canceller:
        for _ in canceller.cancel_many(ids, concurrency=CONCURRENCY):
            pass


def _unsend_async_aiohttp(emu: EmulatorFixture, provider: str, ids: list[str]) -> None:
    _unsend_async(emu, provider, ids, "aiohttp")


def _unsend_sync_aiohttp(emu: EmulatorFixture, provider: str, ids: list[str]) -> None:
    _unsend_sync(emu, provider, ids, "aiohttp")


def _sdk(emu: EmulatorFixture, provider: str, ids: list[str]) -> None:
    async def main() -> bool:
        made = sdk_async_cancel(emu, provider)  # built inside the loop that will close it
        if made is None:
            return False
        cancel, close = made
        await _gather(cancel, ids, CONCURRENCY)
        await close()
        return True

    if asyncio.run(main()):
        return
    cancel_sync = sdk_cancel(emu, provider)  # OneSignal's SDK is sync: its best is threads
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(cancel_sync, ids))


CONTENDERS = {
    "aiohttp_raw": _raw_aiohttp,
    "unsend_async": _unsend_async,
    "unsend_sync": _unsend_sync,
    "unsend_async_aiohttp": _unsend_async_aiohttp,
    "unsend_sync_aiohttp": _unsend_sync_aiohttp,
    "unsend_async_plain_client": _unsend_async_plain_client,
    "httpx_naive": _naive_httpx,
    "sdk": _sdk,
}


def measure(
    url: str,
    *,
    cancels: int,
    rounds: int,
    providers: tuple[str, ...] = PROVIDERS,
    contenders: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Each contender's cancels/s per provider (medians), and unsend's ratios to the others."""
    emu = EmulatorFixture(url)
    results: dict[str, Any] = {}
    for provider in providers:
        figures: dict[str, Any] = {}
        for name, run in (contenders or CONTENDERS).items():

            def one_round(run: Any = run, provider: str = provider, name: str = name) -> float:
                ids = emu.seed(provider, count=cancels)
                seconds = timed(lambda: run(emu, provider, ids))
                left = sum(1 for s in emu.states(provider).values() if s == "scheduled")
                if left:
                    raise RuntimeError(f"{name} left {left} messages scheduled")
                emu.reset()
                return cancels / seconds

            figures[name] = median_of_rounds(one_round, rounds=rounds, warmup=1)
        per_second = {k: round(v["median"]) for k, v in figures.items()}
        ratios = {
            f"unsend_{mode}_vs_{other}": round(per_second[f"unsend_{mode}"] / per_second[other], 2)
            for mode, other in (
                ("async", "aiohttp_raw"),
                ("sync", "aiohttp_raw"),
                ("async_aiohttp", "aiohttp_raw"),
                ("sync_aiohttp", "aiohttp_raw"),
                ("async", "httpx_naive"),
                ("async", "sdk"),
            )
            if f"unsend_{mode}" in per_second and other in per_second
        }
        results[provider] = {"cancels_per_second": per_second, **ratios}
    emu.close()
    return results
