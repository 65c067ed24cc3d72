"""5. Peak memory (RSS) while cancelling ids read lazily from a file, in a child process."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from unsend.testing import EmulatorFixture


def _child(url: str, path: Path) -> None:
    emu = EmulatorFixture(url)

    async def main() -> int:
        count = 0
        async with emu.async_canceller("courier") as canceller:
            with path.open() as ids:
                async for _ in canceller.cancel_many(
                    (line.strip() for line in ids), concurrency=50
                ):
                    count += 1
        return count

    started = time.perf_counter()
    count = asyncio.run(main())
    seconds = time.perf_counter() - started
    peak_kib = _peak_kib()
    print(
        json.dumps(
            {"ids": count, "seconds": round(seconds, 1), "peak_rss_mb": round(peak_kib / 1024, 1)}
        )
    )


def _peak_kib() -> int:
    """This process's own peak RSS. ru_maxrss would not do: Linux carries it across execve, so
    a child started by a large parent reports the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(url: str, *, ids: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ids.txt"
        with path.open("w") as out:
            for i in range(ids):
                out.write(f"1-not-scheduled-{i:08d}\n")  # unknown ids: 404s, nothing to seed
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory", "--child", url, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("URL", "IDS_FILE"), required=True)
    args = parser.parse_args()
    _child(args.child[0], Path(args.child[1]))
