"""Soak: cancels across every emulated provider against the emulator under 20% faults.

    python -m benchmarks.soak                 # 10,000 cancels; writes benchmarks/soak.json

Messages are in mixed states (scheduled, delivered, already cancelled, unknown). The emulator,
in its own process, answers 5% 429, 5% 503 (JSON, HTML, empty or non-UTF-8 bodies), drops 5% of
connections mid-response and delays 5% past the client's timeout. The run fails unless every id
has exactly one result, no message the emulator still holds as scheduled or delivered is
reported cancelled, every outcome equals the emulator's ground truth and what the provider
answers for a message in that state without faults (asked first, one message per state), and
nothing but an UnsendError was raised. tests/integration/test_soak.py runs a bounded version in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

import unsend
from unsend import Outcome
from unsend._engine.call import LOST_RESPONSE_NOTE, MAYBE_OUR_OWN_DOING
from unsend.emulator import EmulatorProcess
from unsend.emulator._kit import emulated
from unsend.testing import EmulatorFixture

BODIES = ("json", "html", "empty", "binary")
STATES = ("scheduled", "delivered", "cancelled", "unknown")


SHARES = {"scheduled": 0.60, "delivered": 0.15, "cancelled": 0.10, "unknown": 0.15}
CLIENT_TIMEOUT = httpx.Timeout(0.3, connect=2.0)
LATENCY_MS = 800  # well past the client's 0.3 s: the emulator then abandons the request
POLICY = unsend.RetryPolicy(max_attempts=20, deadline=60, initial=0.005, max=0.05, jitter=0.005)


def _faults(provider: str, seed: int, index: int) -> dict[str, Any]:
    return {
        "seed": seed + index,
        "rate_limit_rate": 0.05,
        # No wait named: each provider's own 429 (a reset in whole seconds, for some), then
        # the policy's short backoff.
        "retry_after": None,
        "unavailable_rate": 0.05,
        "unavailable_body": BODIES[(seed + index) % len(BODIES)],
        "drop_rate": 0.05,
        "latency_ms": LATENCY_MS,
        "latency_rate": 0.05,
    }


async def _cancel_all(
    emu: EmulatorFixture, provider: str, ids: list[str], concurrency: int
) -> list[unsend.CancelResult]:
    async with emu.async_canceller(provider, retry=POLICY, timeout=CLIENT_TIMEOUT) as canceller:
        return [r async for r in canceller.cancel_many(ids, concurrency=concurrency)]


def _ids(emu: EmulatorFixture, provider: str, state: str, count: int) -> list[str]:
    if state == "unknown":
        return [emulated(provider).new_id() for _ in range(count)]  # valid, never scheduled
    return emu.seed(provider, count=count, state=state)


def _answers_without_faults(emu: EmulatorFixture, provider: str) -> dict[str, Outcome]:
    """What the provider answers for a message in each state when nothing goes wrong: its
    outcome table, asked of the emulator (FAILED: an answer unsend never reads as an outcome)."""
    probe = [_ids(emu, provider, state, 1)[0] for state in STATES]
    results = asyncio.run(_cancel_all(emu, provider, probe, 1))
    return {state: result.outcome for state, result in zip(STATES, results, strict=True)}


def _own_doing(result: unsend.CancelResult, state: str, now: str | None) -> bool:
    """A scheduled message cancelled by an attempt whose answer came after the client's read
    timeout (0.3 s of real time, which a loaded machine reaches without an injected latency):
    the retry reads what a second cancel reads (already cancelled; or not found, not
    cancellable, with the detail saying the earlier attempt may have done it). That is the
    truth, told; the ground truth confirms it."""
    if state != "scheduled" or now != "cancelled" or result.attempts < 2:
        return False
    if result.outcome is Outcome.ALREADY_CANCELLED:
        return True
    return result.outcome in MAYBE_OUR_OWN_DOING and LOST_RESPONSE_NOTE in (result.detail or "")


def _counts(total: int) -> dict[str, int]:
    """How many ids of each state make exactly ``total``."""
    counts = {state: int(total * share) for state, share in SHARES.items()}
    counts["scheduled"] += total - sum(counts.values())
    return counts


def soak(
    url: str, *, per_provider: int, concurrency: int = 32, seed: int = 0, extra_first: int = 0
) -> dict[str, Any]:
    """Run the soak against the emulator at ``url``; raise AssertionError on any violation.

    ``extra_first`` more ids go to the first provider, so a total need not divide by the
    number of providers.
    """
    emu = EmulatorFixture(url)
    emu.reset()
    report: dict[str, Any] = {
        "per_provider": per_provider,
        "concurrency": concurrency,
        "providers": {},
    }
    started = time.perf_counter()
    for index, provider in enumerate(emu.names()):
        expected = _answers_without_faults(emu, provider)
        seeded: dict[str, str] = {}
        for state, count in _counts(per_provider + (extra_first if index == 0 else 0)).items():
            seeded.update(dict.fromkeys(_ids(emu, provider, state, count), state))
        emu.set_faults(provider, **_faults(provider, seed, index))
        t0 = time.perf_counter()
        results = asyncio.run(_cancel_all(emu, provider, list(seeded), concurrency))
        seconds = time.perf_counter() - t0
        emu.clear_faults(provider)
        truth = emu.states(provider)

        ids_seen = Counter(r.message_id for r in results)
        assert sorted(ids_seen) == sorted(seeded), "an id was lost or invented"
        assert max(ids_seen.values()) == 1, "an id got more than one result"
        for result in results:
            state = seeded[result.message_id]
            now = truth.get(result.message_id)
            if result.error is not None:
                assert isinstance(result.error, unsend.UnsendError)
            if result.cancelled:
                assert now == "cancelled", f"{result} reported cancelled; truth: {now}"
            if result.outcome is not Outcome.FAILED and not _own_doing(result, state, now):
                assert result.outcome is expected[state], (result, state)
            elif expected[state] is Outcome.FAILED:
                assert isinstance(result.error, unsend.UnexpectedResponse), result
            if state == "scheduled" and result.outcome not in (Outcome.FAILED, Outcome.REQUESTED):
                assert now == "cancelled", (result, now)
        stats = emu.stats()[provider]
        outcomes = Counter(r.outcome.name for r in results)
        report["providers"][provider] = {
            "cancels": len(results),
            "seconds": round(seconds, 3),
            "cancels_per_second": round(len(results) / seconds, 1),
            "outcomes": dict(outcomes),
            # FAILED where an outcome was due: retries ran out, or an answer was misread.
            "failed": sum(
                r.outcome is Outcome.FAILED and expected[seeded[r.message_id]] is not Outcome.FAILED
                for r in results
            ),
            "attempts": dict(sorted(Counter(r.attempts for r in results).items())),
            "emulator_answers": stats,
            "faults_injected": sum(stats.get(k, 0) for k in ("429", "503", "dropped", "abandoned")),
        }
    emu.close()
    report["total_cancels"] = sum(p["cancels"] for p in report["providers"].values())
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cancels", type=int, default=10_000, help="in all, across providers")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("soak.json"))
    args = parser.parse_args()
    with EmulatorProcess() as server:
        providers = len(EmulatorFixture(server.url).names())
        report = soak(
            server.url,
            per_provider=args.cancels // providers,
            concurrency=args.concurrency,
            seed=args.seed,
            extra_first=args.cancels % providers,
        )
    report["date"] = time.strftime("%Y-%m-%d")
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
