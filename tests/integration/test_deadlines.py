"""A cancel never outlives its deadline, whatever the server does (real sockets, real time)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

import unsend

DEADLINE = 1.0
SLACK = 0.2


class MisbehavingServer:
    """A raw HTTP server on loopback: ``silent`` never answers, ``drip`` sends its body one
    byte every 50 ms, ``retry_after`` answers 429 with Retry-After: 3600."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            if self.mode == "retry_after":
                conn.sendall(
                    b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 33\r\n\r\n"
                    b'{"errors": ["API rate limit ex"]}'
                )
            elif self.mode == "drip":
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 1000\r\n\r\n"
                )
                while not self.stop.is_set():
                    try:
                        conn.sendall(b" ")
                    except OSError:
                        return
                    time.sleep(0.05)
            self.stop.wait(10)  # silent: hold the connection open, never answer

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)  # accept() wakes every 0.1 s to see the stop
        self.sock.close()


@pytest.fixture(params=["silent", "drip", "retry_after"])
def server(request: pytest.FixtureRequest) -> Iterator[MisbehavingServer]:
    srv = MisbehavingServer(request.param)
    yield srv
    srv.close()


def cancel(mode: str, server: MisbehavingServer) -> tuple[float, BaseException | None]:
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


def test_cancel_returns_or_raises_within_the_deadline(mode: str, server: MisbehavingServer) -> None:
    elapsed, error = cancel(mode, server)
    assert elapsed <= DEADLINE + SLACK, f"{server.mode}: {elapsed:.3f} s"
    assert isinstance(error, unsend.UnsendError), repr(error)
    if server.mode == "retry_after":
        assert isinstance(error, unsend.RateLimited)
        assert error.retry_after == 3600
        assert elapsed < 0.5  # a wait past the deadline fails at once, it is not slept
    else:
        assert isinstance(error, unsend.TransportError)
