"""1. Sequential cancel latency per call: unsend vs raw httpx (the same request) vs the SDK."""

from __future__ import annotations

from typing import Any

import httpx

from benchmarks._common import PROVIDERS, median_of_rounds, raw_request, sdk_cancel, timed
from unsend.testing import EmulatorFixture


def raw_cancel(client: httpx.Client, emu: EmulatorFixture, provider: str, message_id: str) -> Any:
    """The least a caller of plain httpx does to learn the outcome: send, read, decode."""
    response = client.request(**raw_request(emu, provider, message_id))
    return response.json() if response.content else None


def measure(url: str, *, calls: int, rounds: int) -> dict[str, Any]:
    emu = EmulatorFixture(url)
    results: dict[str, Any] = {}
    for provider in PROVIDERS:
        raw = httpx.Client()
        unsend_client = emu.canceller(provider)
        sdk = sdk_cancel(emu, provider)
        contenders = {
            "unsend": unsend_client.cancel,
            "httpx": lambda i, p=provider, raw=raw: raw_cancel(raw, emu, p, i),
            "sdk": sdk,
        }
        figures: dict[str, Any] = {}
        for name, cancel in contenders.items():

            def one_round(cancel: Any = cancel, provider: str = provider) -> float:
                ids = emu.seed(provider, count=calls)
                return timed(lambda: [cancel(i) for i in ids]) / calls * 1e6

            figures[name] = median_of_rounds(one_round, rounds=rounds)
        raw.close()
        unsend_client.close()
        results[provider] = {
            "microseconds_per_cancel": {k: round(v["median"], 1) for k, v in figures.items()},
            "unsend_vs_httpx": round(figures["unsend"]["median"] / figures["httpx"]["median"], 3),
            "unsend_vs_sdk": round(figures["unsend"]["median"] / figures["sdk"]["median"], 3),
        }
    emu.close()
    return results
