"""The emulator's own ceiling: cancels/s from a raw multi-connection HTTP/1.1 client.

A plain asyncio client (keep-alive, one request in flight per connection) so that the figure is
the server's, not the client's. Every other benchmark must stay under this figure.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from unsend.emulator import DEFAULT_CREDENTIALS
from unsend.testing import EmulatorFixture


async def _worker(host: str, port: int, requests: list[bytes], counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    for request in requests:
        writer.write(request)
        headers = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        counts[0] += 1
    writer.close()


async def _run(url: str, ids: list[str], connections: int) -> float:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    token = DEFAULT_CREDENTIALS.qstash_token
    requests = [
        (
            f"DELETE /v2/messages/{i} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
        for i in ids
    ]
    shards = [requests[n::connections] for n in range(connections)]
    counts = [0] * 600
    start = time.perf_counter()
    await asyncio.gather(*(_worker(host, port, shard, counts) for shard in shards))
    return time.perf_counter() - start


def measure(url: str, n: int = 20_000, connections: int = 32) -> dict[str, float]:
    emu = EmulatorFixture(url)
    emu.reset()
    ids = emu.seed("qstash", count=n)
    elapsed = asyncio.run(_run(url, ids, connections))
    cancelled = sum(1 for s in emu.states("qstash").values() if s == "cancelled")
    emu.close()
    if cancelled != n:
        raise RuntimeError(f"only {cancelled} of {n} were cancelled")
    return {
        "cancels": n,
        "connections": connections,
        "seconds": elapsed,
        "cancels_per_second": n / elapsed,
    }


if __name__ == "__main__":
    from unsend.emulator import EmulatorProcess

    with EmulatorProcess() as server:
        measure(server.url, 2_000)  # warm-up
        print(measure(server.url))
