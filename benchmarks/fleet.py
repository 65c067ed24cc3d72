"""8. A fleet sharing one provider limit: 1, 2 and 4 processes, with and without shared storage;
and four processes against a strict bucket (100/s, burst 10) at 90% of its rate.

Each process is the real CLI (``unsend cancel --from-file ... --max-rate N``), started at once,
against one emulated OneSignal app whose token bucket allows N per second (burst N: a
per-second window). With ``--rate-limit-storage redis://...`` the N is the fleet's; without it
each process believes it has N to itself: the baseline that overshoots. Achieved rate is read
from the emulator's own timeline (first to last answer), so process start-up is not counted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.fleet.redis_server import RedisServer
from unsend.testing import EmulatorFixture

LIMIT = 200
PROCESSES = (1, 2, 4)
SECONDS_OF_WORK = 6


def _run(
    emu: EmulatorFixture,
    processes: int,
    storage: str | None,
    folder: Path,
    *,
    total: int,
    bucket: tuple[int, int] = (LIMIT, LIMIT),
    max_rate: float = LIMIT,
) -> dict[str, Any]:
    """``total`` cancels split over ``processes`` CLI processes at ``--max-rate max_rate``,
    against a provider bucket refilling ``bucket[0]`` per second with a burst of ``bucket[1]``."""
    emu.reset()
    rate, burst = bucket
    emu.set_faults("onesignal", limit_rps=rate, limit_burst=burst)
    ids = emu.seed("onesignal", count=total)
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    command = [sys.executable, "-m", "unsend.cli", "cancel", "--dsn", emu.dsn("onesignal")]
    command += ["--max-rate", str(max_rate), "--json", "--concurrency", "16"]
    if storage is not None:
        command += ["--rate-limit-storage", storage]
    running = []
    for n in range(processes):
        part = folder / f"ids-{n}.txt"
        part.write_text("\n".join(ids[n::processes]) + "\n")
        running.append(
            subprocess.Popen(
                [*command, "--from-file", str(part)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                text=True,
            )
        )
    lines = sum(len(p.communicate(timeout=300)[0].splitlines()) for p in running)
    events = emu.events("onesignal")
    answered = [t for t, answer in events if answer == "200"]
    first = min(t for t, _ in events)
    # Whole seconds from the first request: a per-second window lets each second's N through
    # at its start, so a partial last second would overstate the rate.
    whole = max(1, int(max(answered) - first))
    in_window = sum(first <= t < first + whole for t in answered)
    counts = emu.stats()["onesignal"]
    requests = sum(counts.values())
    return {
        "processes": processes,
        "cancels": total,
        "results": lines,
        "cancelled": counts.get("200", 0),
        "seconds_measured": whole,
        "achieved_share_of_limit": round(in_window / whole / rate, 3),
        "share_answered_429": round(counts.get("429", 0) / requests, 4),
    }


# The case: a bucket refilling 100/s with a burst of 10, four processes of 900 ids each,
# the fleet told 95/s (95% of the bucket's rate).
BUCKET = (100, 10)
BUCKET_PROCESSES = 4
BUCKET_IDS_PER_PROCESS = 900
BUCKET_MAX_RATE = 95


def measure_bucket(url: str, folder: Path, storage: str, *, ids_per_process: int) -> Any:
    emu = EmulatorFixture(url)
    return _run(
        emu,
        BUCKET_PROCESSES,
        storage,
        folder,
        total=BUCKET_PROCESSES * ids_per_process,
        bucket=BUCKET,
        max_rate=BUCKET_MAX_RATE,
    )


def measure(
    url: str,
    *,
    seconds: int = SECONDS_OF_WORK,
    most: int = 4,
    bucket_ids: int = BUCKET_IDS_PER_PROCESS,
) -> dict[str, Any]:
    emu = EmulatorFixture(url)
    results: dict[str, Any] = {"limit_per_second": LIMIT, "shared": [], "per_process": []}
    with tempfile.TemporaryDirectory() as folder:
        redis = RedisServer(Path(folder)).start()
        try:
            for processes in (p for p in PROCESSES if p <= most):
                redis.flush()
                runs = (("shared", redis.url), ("per_process", None))
                for label, storage in runs:
                    total = LIMIT * seconds
                    results[label].append(_run(emu, processes, storage, Path(folder), total=total))
            redis.flush()
            bucket = measure_bucket(url, Path(folder), redis.url, ids_per_process=bucket_ids)
            results["bucket"] = {
                "rate": BUCKET[0],
                "burst": BUCKET[1],
                "max_rate": BUCKET_MAX_RATE,
                **bucket,
            }
        finally:
            redis.stop()
    emu.reset()
    return results
