"""The benchmark harness: ``python -m benchmarks [--quick] [--only SECTION ...] [--out DIR]``.

Starts the emulator in its own process, runs every measurement with warm-up and several rounds,
and writes results.json, results.md and results.png (into benchmarks/ unless --out says else).
``--only`` re-measures some sections and keeps the others from the existing results.json.
The soak is separate: ``python -m benchmarks.soak``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import (
    deadline_guard,
    emulator_ceiling,
    every_provider,
    fleet,
    import_time,
    latency,
    memory,
    newer,
    rate_limit,
    report,
    telemetry_cost,
    throughput,
)
from unsend.emulator import EmulatorProcess

FULL = {
    "rounds": 3,
    "latency_calls": 500,
    "throughput_cancels": 10_000,
    "rate_cancels": 3_000,
    "memory_ids": 1_000_000,
    "ceiling_cancels": 20_000,
    "import_rounds": 11,
    "fleet_seconds": 6,
    "fleet_processes": 4,
    "fleet_bucket_ids": 900,
}
QUICK = {
    "rounds": 1,
    "latency_calls": 20,
    "throughput_cancels": 200,
    "rate_cancels": 100,
    "memory_ids": 2_000,
    "ceiling_cancels": 500,
    "import_rounds": 1,
    "fleet_seconds": 1,
    "fleet_processes": 2,
    "fleet_bucket_ids": 25,
}
SECTIONS = (
    "emulator_ceiling",
    "latency",
    "deadline_guard",
    "throughput",
    "rate_limit",
    "memory",
    "import_time",
    "fleet",
    "newer",
    "telemetry_cost",
    "every_provider",
)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _measures(url: str, settings: dict[str, int]) -> dict[str, Callable[[], Any]]:
    return {
        "emulator_ceiling": lambda: emulator_ceiling.measure(url, n=settings["ceiling_cancels"]),
        "latency": lambda: latency.measure(
            url, calls=settings["latency_calls"], rounds=settings["rounds"]
        ),
        "deadline_guard": lambda: deadline_guard.measure(
            url, calls=settings["latency_calls"], rounds=settings["rounds"]
        ),
        "throughput": lambda: throughput.measure(
            url, cancels=settings["throughput_cancels"], rounds=settings["rounds"]
        ),
        "rate_limit": lambda: rate_limit.measure(url, cancels=settings["rate_cancels"]),
        "memory": lambda: memory.measure(url, ids=settings["memory_ids"]),
        "import_time": lambda: import_time.measure(rounds=settings["import_rounds"]),
        "fleet": lambda: fleet.measure(
            url,
            seconds=settings["fleet_seconds"],
            most=settings["fleet_processes"],
            bucket_ids=settings["fleet_bucket_ids"],
        ),
        "newer": lambda: newer.measure(
            url, cancels=settings["throughput_cancels"] // 2, rounds=settings["rounds"]
        ),
        "telemetry_cost": lambda: telemetry_cost.measure(
            url, calls=settings["latency_calls"] * 2, rounds=settings["rounds"]
        ),
        "every_provider": lambda: every_provider.measure(
            url, calls=settings["latency_calls"] // 2, rounds=settings["rounds"]
        ),
    }


def run(
    settings: dict[str, int],
    out: Path,
    log: Callable[[str], object] = print,
    only: tuple[str, ...] = SECTIONS,
) -> dict[str, Any]:
    """Measure the sections in ``only``; the others are kept from an earlier results.json."""
    previous = out / "results.json"
    keep = set(only) != set(SECTIONS) and previous.exists()
    results: dict[str, Any] = json.loads(previous.read_text()) if keep else {}
    results.update(
        {
            "date": time.strftime("%Y-%m-%d"),
            "machine": machine(),
            "rounds": settings["rounds"],
            "throughput_cancels": settings["throughput_cancels"],
        }
    )
    with EmulatorProcess() as server:
        emulator_ceiling.measure(server.url, n=max(100, settings["ceiling_cancels"] // 10))
        measures = _measures(server.url, settings)
        for section in SECTIONS:
            if section in only:
                log(section)
                results[section] = measures[section]()
    report.write(results, out)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        default=list(SECTIONS),
        help="measure these sections; keep the others from results.json",
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args(argv)
    run(QUICK if args.quick else FULL, args.out, only=tuple(args.only))
    print((args.out / "results.md").read_text())


if __name__ == "__main__":
    main()
