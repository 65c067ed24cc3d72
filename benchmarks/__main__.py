"""The benchmark harness: ``python -m benchmarks [--quick] [--out DIR]``.

Starts the emulator in its own process, runs every measurement with warm-up and several rounds,
and writes results.json, results.md and results.png (into benchmarks/ unless --out says else).
The soak is separate: ``python -m benchmarks.soak``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path
from typing import Any

from benchmarks import (
    emulator_ceiling,
    import_time,
    latency,
    memory,
    rate_limit,
    report,
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
}
QUICK = {
    "rounds": 1,
    "latency_calls": 20,
    "throughput_cancels": 200,
    "rate_cancels": 100,
    "memory_ids": 2_000,
    "ceiling_cancels": 500,
    "import_rounds": 1,
}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run(settings: dict[str, int], out: Path, log: Any = print) -> dict[str, Any]:
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "rounds": settings["rounds"],
        "throughput_cancels": settings["throughput_cancels"],
    }
    with EmulatorProcess() as server:
        log("emulator ceiling")
        emulator_ceiling.measure(server.url, n=max(100, settings["ceiling_cancels"] // 10))
        results["emulator_ceiling"] = emulator_ceiling.measure(
            server.url, n=settings["ceiling_cancels"]
        )
        log("sequential latency")
        results["latency"] = latency.measure(
            server.url, calls=settings["latency_calls"], rounds=settings["rounds"]
        )
        log("throughput")
        results["throughput"] = throughput.measure(
            server.url, cancels=settings["throughput_cancels"], rounds=settings["rounds"]
        )
        log("rate limit")
        results["rate_limit"] = rate_limit.measure(server.url, cancels=settings["rate_cancels"])
        log("memory")
        results["memory"] = memory.measure(server.url, ids=settings["memory_ids"])
    log("import time")
    results["import_time"] = import_time.measure(rounds=settings["import_rounds"])
    report.write(results, out)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args(argv)
    run(QUICK if args.quick else FULL, args.out)
    print((args.out / "results.md").read_text())


if __name__ == "__main__":
    main()
