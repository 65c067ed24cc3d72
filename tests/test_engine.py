"""The engine as a state machine driven by hand: plain values in, steps out, no I/O at all."""

from __future__ import annotations

import httpx
import pytest

import unsend
from unsend._engine import retrying
from unsend._engine.call import (
    AttemptTimedOut,
    BodyTooLarge,
    Notify,
    Pause,
    Received,
    Reserve,
    Send,
    Sleep,
    cancel_call,
    cancel_steps,
)
from unsend._engine.clock import FakeClock


def machine(clock: FakeClock, **kwargs: object):  # type: ignore[no-untyped-def]
    provider = unsend.OneSignal("app-id-1234", "api-key-1234")
    options = {
        "policy": unsend.RetryPolicy(jitter=0),
        "timeout": httpx.Timeout(10, connect=5),
        "clock": clock,
        "on_retry": None,
        "gates": (),
        **kwargs,
    }
    return cancel_steps(cancel_call(provider, "n-1", **options))  # type: ignore[arg-type]


def answer(send: Send, status: int, body: bytes = b"", **headers: str) -> Received:
    return Received(status, httpx.Headers(headers), body, send.request)


def test_a_first_success_is_one_send_and_builds_no_retry_controller(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tenacity was built for a cancel that never retried")

    monkeypatch.setattr(retrying, "Retries", refuse)
    steps = machine(clock)
    send = next(steps)
    assert isinstance(send, Send)
    assert send.request.method == "DELETE"
    assert send.time_left == 30
    assert send.request.extensions["timeout"] == {
        "connect": 5,
        "read": 10,
        "write": 10,
        "pool": 10,
    }
    with pytest.raises(StopIteration) as done:
        steps.send(answer(send, 200, b'{"success": true}'))
    assert done.value.value.outcome is unsend.Outcome.CANCELLED
    assert done.value.value.attempts == 1


def test_a_429_yields_the_advised_sleep_then_resends_the_same_request(clock: FakeClock) -> None:
    steps = machine(clock)
    first = next(steps)
    notice = steps.send(answer(first, 429, b'{"errors": ["x"]}', **{"Retry-After": "2"}))
    assert isinstance(notice, Notify)  # the retry is said as data; the driver logs it
    assert (notice.event.attempt, notice.event.wait, notice.event.status_code) == (1, 2.0, 429)
    sleep = steps.send(None)
    assert sleep == Sleep(2.0)
    clock.advance(2)
    second = steps.send(None)
    assert isinstance(second, Send)
    assert second.request is first.request
    assert second.time_left == 28
    with pytest.raises(StopIteration) as done:
        steps.send(answer(second, 200, b'{"success": true}'))
    assert (done.value.value.attempts, done.value.value.elapsed) == (2, 2)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (httpx.ConnectError("refused"), unsend.TransportError),
        (httpx.ReadTimeout("slow"), unsend.TransportError),
        (AttemptTimedOut(), unsend.TransportError),
        (BodyTooLarge(), unsend.UnexpectedResponse),
    ],
)
def test_failures_come_back_as_values_and_become_typed_errors(
    clock: FakeClock, reply: BaseException, error: type[Exception]
) -> None:
    steps = machine(clock, policy=unsend.RetryPolicy.never())
    next(steps)
    with pytest.raises(error):
        steps.send(reply)


def test_a_retryable_failure_backs_off_and_the_last_one_is_raised(clock: FakeClock) -> None:
    steps = machine(clock, policy=unsend.RetryPolicy(max_attempts=3, initial=1, jitter=0))
    waits = []
    step = next(steps)
    for _ in range(2):
        step = steps.send(httpx.ConnectError("refused"))
        assert isinstance(step, Notify)
        step = steps.send(None)
        assert isinstance(step, Sleep)
        waits.append(step.seconds)
        step = steps.send(None)
        assert isinstance(step, Send)
    with pytest.raises(unsend.TransportError) as caught:
        steps.send(httpx.ConnectError("refused"))
    assert waits == [1, 2]
    assert caught.value.attempts == 3


def test_a_gate_is_asked_by_the_driver_and_its_wait_is_a_sleep(clock: FakeClock) -> None:
    """The machine takes no lock: it asks for a slot as data and sleeps the wait it is told."""
    from unsend._engine.gate import Gate

    gate = Gate()
    steps = machine(clock, gates=(gate,))
    assert next(steps) == Reserve((gate,))
    assert gate.paused_until == 0  # nothing was done to the gate by the machine itself
    assert steps.send(3.0) == Sleep(3.0)
    assert isinstance(steps.send(None), Send)


def test_a_429_pause_is_asked_of_the_driver(clock: FakeClock) -> None:
    from unsend._engine.gate import Gate

    gate = Gate()
    steps = machine(clock, gates=(gate,))
    next(steps)
    send = steps.send(0.0)
    clock.advance(1)
    pause = steps.send(answer(send, 429, b'{"errors": ["x"]}', **{"Retry-After": "5"}))
    assert pause == Pause((gate,), until=clock.monotonic() + 5)
    assert gate.paused_until == 0
    assert isinstance(steps.send(None), Notify)


def test_the_machine_imports_no_logging_or_telemetry() -> None:
    """What the machine module itself imports: the drivers' effects are elsewhere."""
    import ast
    from pathlib import Path

    from unsend._engine import call

    tree = ast.parse(Path(call.__file__).read_text())
    names = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
    }
    assert not {n for n in names if "logging" in n or "telemetry" in n or "threading" in n}


def test_a_send_answered_with_nothing_is_a_driver_bug(clock: FakeClock) -> None:
    steps = machine(clock)
    next(steps)
    with pytest.raises(TypeError, match="must be answered"):
        steps.send(None)


def test_a_first_success_never_imports_tenacity() -> None:
    import subprocess
    import sys

    code = """
import sys, httpx, unsend
def answer(request):
    return httpx.Response(200, json={"success": True})
client = httpx.Client(transport=httpx.MockTransport(answer))
with unsend.Canceller(unsend.OneSignal("app-id-1234", "key-12345678"), client=client) as c:
    assert c.cancel("n-1").cancelled
assert "tenacity" not in sys.modules, "tenacity was imported for a cancel that never retried"
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
