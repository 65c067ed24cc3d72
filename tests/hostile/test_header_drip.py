"""Every phase of every attempt, headers included, ends by the deadline (+0.5 s)."""

from __future__ import annotations

import pytest

import unsend

from .run import timed_cancel, user_client
from .server import HostileServer, drip

DEADLINE = 1.0
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"p" * 400


@pytest.fixture
def dripping_headers() -> HostileServer:
    # One byte every 50 ms: each read succeeds long before any read timeout.
    return HostileServer(lambda head: drip(HEAD, 0.05))


def test_the_async_bound_holds_with_a_callers_own_client(dripping_headers: HostileServer) -> None:
    with dripping_headers as server:
        provider = unsend.OneSignal("app-id-1234", "api-key-1234", base_url=server.url)
        policy = unsend.RetryPolicy(deadline=DEADLINE, max_attempts=2)
        client = user_client("async", timeout=30)
        elapsed, outcome = timed_cancel("async", provider, client=client, retry=policy)
    assert isinstance(outcome, unsend.TransportError), repr(outcome)
    # Real time is the point; 1 s of slack is what a loaded machine may add, far below what
    # the drip would take (it never finishes).
    assert elapsed <= DEADLINE + 1.0, f"{elapsed:.2f} s"


def test_a_dripped_answer_that_completes_in_time_is_read(mode: str) -> None:
    body = b'{"success": true}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n" + body
    with HostileServer(lambda head: drip(answer, 0.002)) as server:
        provider = unsend.OneSignal("app-id-1234", "api-key-1234", base_url=server.url)
        _, outcome = timed_cancel(mode, provider, retry=unsend.RetryPolicy(deadline=5))
    assert isinstance(outcome, unsend.CancelResult), repr(outcome)
    assert outcome.outcome is unsend.Outcome.CANCELLED
