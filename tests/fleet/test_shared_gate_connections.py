"""What the shared gate asks of a storage that misbehaves, on loopback servers that count: one
connection per storage call (redis-py never retries behind the gate's back) and a silent storage
given up on by the socket timeouts, sync and async alike."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest

from unsend._engine import shared_gate
from unsend._engine.shared_gate import STORAGE_TIMEOUT, SharedGate
from unsend.testing import FakeClock

from .loopback import LoopbackServer


class Listener(LoopbackServer):
    """A loopback TCP server that counts connections and closes each one ``hold`` seconds
    after its first command: 0 is a storage that hangs up, more is one that never answers, or
    with ``drip`` one that answers an endless string a byte every 0.1 s."""

    def __init__(self, hold: float, drip: bool = False) -> None:
        self.hold = hold
        self.drip = drip
        self.connections = 0
        self.commands: list[bytes] = []  # the first command of each connection, by name
        super().__init__()

    def handle(self, client: socket.socket) -> None:
        self.connections += 1
        try:
            # Hung up only once asked: a socket closed before redis-py's pool hands it out reads
            # as "connection has data", and the pool connects again (a check, not a retry).
            asked = client.recv(65536).split(b"\r\n")  # *<n>, $<length>, <name>, ...
            self.commands.append(asked[2] if len(asked) > 2 else b"")
            if self.drip:
                client.sendall(b"*2\r\n$1000000000\r\n")
                while not self.stop.wait(0.1):
                    client.sendall(b"1")
            self.stop.wait(self.hold)
        except OSError:
            pass  # the gate hung up
        finally:
            client.close()


@pytest.fixture
def listener(request: pytest.FixtureRequest) -> Iterator[Listener]:
    shared_gate._outages.clear()
    server = (
        Listener(*request.param) if isinstance(request.param, tuple) else Listener(request.param)
    )
    yield server
    server.close()
    shared_gate._outages.clear()


def reserve_sync(gate: SharedGate) -> float:
    try:
        return gate.reserve_sync(FakeClock().time(), 30.0)
    finally:
        gate.close()


def reserve_async(gate: SharedGate) -> float:
    async def main() -> float:
        try:
            return await gate.reserve_async(FakeClock().time(), 30.0)
        finally:
            await gate.aclose()

    return anyio.run(main)


DRIVERS: list[Callable[[SharedGate], float]] = [reserve_sync, reserve_async]


@pytest.mark.parametrize("listener", [0.0], indirect=True)
@pytest.mark.parametrize("reserve", DRIVERS)
def test_a_storage_that_hangs_up_is_connected_to_once_per_call(
    listener: Listener, reserve: Callable[[SharedGate], float]
) -> None:
    gate = SharedGate(listener.url, "courier:hangs-up", 10.0, FakeClock())
    assert reserve(gate) == 0.0  # paced alone: this process's first slot
    time.sleep(0.2)  # a retry redis-py made on its own would have connected by now
    assert listener.connections == 1
    assert listener.commands == [b"EVAL"]


@pytest.mark.parametrize("listener", [30.0, (30.0, True)], indirect=True, ids=["silent", "drip"])
@pytest.mark.parametrize("reserve", DRIVERS)
def test_a_storage_that_never_answers_in_full_is_given_up_on_in_time(
    listener: Listener, reserve: Callable[[SharedGate], float]
) -> None:
    """Real time is the point: a connect and an answer, each at most STORAGE_TIMEOUT (0.5 s),
    against a storage silent for 30 s, or answering a byte every 0.1 s (each read in time, the
    answer never whole). The bound, those two plus 1.5 s a loaded machine cannot eat, still
    tells the gate's own bound from redis-py's (5 s in redis-py 8, none before, none at all
    for a drip on the sync client)."""
    gate = SharedGate(listener.url, "courier:silent", 10.0, FakeClock())
    started = time.monotonic()
    assert reserve(gate) == 0.0
    assert time.monotonic() - started < 2 * STORAGE_TIMEOUT + 1.5
    assert listener.connections == 1
    assert listener.commands == [b"EVAL"]  # nothing said first: no HELLO, no CLIENT SETINFO


@pytest.mark.parametrize("listener", [30.0], indirect=True)
def test_a_sync_storage_call_runs_on_a_worker_named_for_it(listener: Listener) -> None:
    gate = SharedGate(listener.url, "courier:named", 10.0, FakeClock())
    seen: list[str] = []
    waiting = threading.Thread(target=lambda: seen.append(str(reserve_sync(gate))))
    waiting.start()
    while not listener.connections and waiting.is_alive():
        time.sleep(0.01)
    names = [thread.name for thread in threading.enumerate()]
    waiting.join(10)
    assert any(name.startswith("unsend-storage") for name in names), names
    assert seen == ["0.0"]


def test_closing_an_async_gate_that_never_asked_its_storage_is_a_no_op() -> None:
    gate = SharedGate("redis://127.0.0.1:1/0", "courier:unused", None, FakeClock())

    async def main() -> None:
        await gate.aclose()
        await gate.aclose()

    anyio.run(main)
    gate.close()


def test_the_fingerprint_itself_depends_on_the_provider_not_only_the_key_s_prefix() -> None:
    scopes = [shared_gate.scope_of(name, "https://h", ["t-1"]) for name in ("courier", "knock")]
    fingerprints: set[Any] = {scope.split(":")[1] for scope in scopes}
    assert len(fingerprints) == 2
