"""A cancel never outlives its deadline, whatever the server does (real sockets, real time)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

import unsend
from tests.hostile.server import HostileServer, drip

DEADLINE = 1.0
SLACK = 0.2


RETRY_AFTER = (
    b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\n"
    b"Content-Type: application/json\r\nContent-Length: 33\r\n\r\n"
    b'{"errors": ["API rate limit ex"]}'
)
DRIP_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
SCRIPTS = {
    "silent": lambda head: [10.0],  # hold the connection, never answer
    "drip": lambda head: [DRIP_HEAD, *drip(b" " * 1000, 0.05)],  # the body, a byte per 50 ms
    "retry_after": lambda head: [RETRY_AFTER],
}


@pytest.fixture(params=list(SCRIPTS))
def server(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    with HostileServer(SCRIPTS[request.param]) as srv:
        srv.mode = request.param  # type: ignore[attr-defined]
        yield srv


def cancel(mode: str, server: HostileServer) -> tuple[float, BaseException | None]:
    provider = unsend.OneSignal("app", "key", base_url=f"http://127.0.0.1:{server.port}")
    policy = unsend.RetryPolicy(deadline=DEADLINE, max_attempts=10)
    started = time.monotonic()
    try:
        if mode == "sync":
            with unsend.Canceller(provider, retry=policy) as canceller:
                canceller.cancel("n-1")
        else:

            async def main() -> Any:
                async with unsend.AsyncCanceller(provider, retry=policy) as canceller:
                    return await canceller.cancel("n-1")

            anyio.run(main)
    except BaseException as exc:  # the test inspects what escaped
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


def test_cancel_returns_or_raises_within_the_deadline(mode: str, server: HostileServer) -> None:
    elapsed, error = cancel(mode, server)
    assert elapsed <= DEADLINE + SLACK, f"{server.mode}: {elapsed:.3f} s"
    assert isinstance(error, unsend.UnsendError), repr(error)
    if server.mode == "retry_after":
        assert isinstance(error, unsend.RateLimited)
        assert error.retry_after == 3600
        assert elapsed < 0.5  # a wait past the deadline fails at once, it is not slept
    else:
        assert isinstance(error, unsend.TransportError)
