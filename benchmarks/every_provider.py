"""11. One cancel at a time, every registered provider: unsend's sync ``cancel`` against raw httpx
sending the same request (the adapter's own, so EventBridge's signature and Cloud Tasks' token
cost both sides alike) and reading its answer, in the same process, alternating per round.
"""

from __future__ import annotations

import statistics
from typing import Any

import httpx

from benchmarks._common import timed
from unsend.testing import EmulatorFixture


def _raw(client: httpx.Client, provider: Any, message_id: str) -> object:
    response = client.send(provider.cancel_request(message_id))
    try:
        return response.json() if response.content else None
    except ValueError:
        return response.content


def _round(
    canceller: Any, raw: httpx.Client, provider: Any, ids: list[str], reverse: bool
) -> dict[str, float]:
    """Microseconds per cancel of each, half the ids each, in the order given."""
    half = len(ids) // 2
    runs = [
        ("unsend", lambda: [canceller.cancel(i) for i in ids[:half]]),
        ("httpx", lambda: [_raw(raw, provider, i) for i in ids[half:]]),
    ]
    return {who: timed(run) / half * 1e6 for who, run in (runs[::-1] if reverse else runs)}


def measure(url: str, *, calls: int, rounds: int) -> dict[str, Any]:
    emu = EmulatorFixture(url)
    results: dict[str, Any] = {}
    for name in emu.names():
        provider = emu.provider(name)
        raw = httpx.Client()
        ratios, ours, theirs = [], [], []
        with emu.canceller(name) as canceller:
            for round_ in range(rounds + 1):  # the first round warms both up and is not counted
                took = _round(
                    canceller, raw, provider, emu.seed(name, count=2 * calls), round_ % 2 == 1
                )
                emu.reset()
                if round_:
                    ratios.append(took["unsend"] / took["httpx"])
                    ours.append(took["unsend"])
                    theirs.append(took["httpx"])
        raw.close()
        results[name] = {
            "microseconds_per_cancel": {
                "unsend": round(statistics.median(ours)),
                "httpx": round(statistics.median(theirs)),
            },
            "unsend_vs_httpx": round(statistics.median(ratios), 3),
        }
    emu.close()
    return results
