"""9. The five newer providers: cancel_many (async) against raw aiohttp, same run, same emulator.

Their official SDKs are measured for fidelity in the tests, not here: each would need its own
harness (Twilio's and SendGrid's are sync-only clients), and the ceiling is what the ratio is for.
"""

from __future__ import annotations

from typing import Any

from benchmarks import throughput

NEWER = ("twilio", "resend", "sendgrid", "knock", "novu")
CONTENDERS = {"aiohttp_raw": throughput._raw_aiohttp, "unsend_async": throughput._unsend_async}


def measure(url: str, *, cancels: int, rounds: int) -> dict[str, Any]:
    return throughput.measure(
        url, cancels=cancels, rounds=rounds, providers=NEWER, contenders=CONTENDERS
    )
