"""Performing one ``Send``: the only code that touches the network, sync and async.

Each reads the raw body (undecoded: the engine decodes it under its cap) and bounds the whole
attempt by the step's ``time_left``: the async sender with a cancel scope, the sync one through
``ATTEMPT_DEADLINE``, which unsend's own sync pools obey at every socket operation (see
``deadline``). Failures come back as values for the engine to classify, never raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from contextvars import ContextVar
from typing import Protocol, TypeVar

import httpx

from .body import MAX_BODY_BYTES
from .call import (
    AttemptTimedOut,
    BodyTooLarge,
    Coordinate,
    Received,
    Reply,
    Send,
    Sleep,
    Step,
    Stepper,
)
from .clock import Clock
from .effects import coordinated, perform

__all__ = [
    "ATTEMPT_DEADLINE",
    "AsyncLane",
    "HttpxAsyncLane",
    "RawBody",
    "drive_async",
    "drive_sync",
    "send_async",
    "send_sync",
]

ATTEMPT_DEADLINE: ContextVar[float | None] = ContextVar("unsend_attempt_deadline", default=None)
"""``time.monotonic()`` by which the current sync attempt must end; None outside an attempt."""

_FAILURES = (httpx.RequestError, AttemptTimedOut, BodyTooLarge)
T = TypeVar("T")


class RawBody:
    """The body as it arrives: stops at the size cap, or when the attempt's time is up.

    Time here is the canceller's clock, so an injected clock drives it in tests; the bounds
    below the body (socket operations, the cancel scope) are real time.
    """

    __slots__ = ("chunks", "clock", "deadline", "size")

    def __init__(self, clock: Clock, time_left: float) -> None:
        self.clock = clock
        self.deadline = clock.monotonic() + time_left
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_BODY_BYTES:
            raise BodyTooLarge
        if self.clock.monotonic() >= self.deadline:
            raise AttemptTimedOut
        self.chunks.append(chunk)

    def received(self, response: httpx.Response) -> Received:
        return Received.of(response, b"".join(self.chunks))


def send_sync(client: httpx.Client, step: Send, clock: Clock) -> Reply:
    body = RawBody(clock, step.time_left)
    token = ATTEMPT_DEADLINE.set(time.monotonic() + step.time_left)
    try:
        response = client.send(step.request, stream=True, follow_redirects=False)
        try:
            for chunk in response.iter_raw():
                body.add(chunk)
        except httpx.StreamConsumed:
            return Received.of(response, None)  # handed over already read (a mock transport)
        finally:
            response.close()
    except _FAILURES as failure:
        return failure
    finally:
        ATTEMPT_DEADLINE.reset(token)
    return body.received(response)


async def send_async(client: httpx.AsyncClient, step: Send, clock: Clock) -> Reply:
    import anyio  # with httpx's async stack; sync users never load it

    body = RawBody(clock, step.time_left)
    with anyio.move_on_after(step.time_left):
        try:
            response = await client.send(step.request, stream=True, follow_redirects=False)
            try:
                async for chunk in response.aiter_raw():
                    body.add(chunk)
            except httpx.StreamConsumed:
                return Received.of(response, None)
            finally:
                await response.aclose()
        except _FAILURES as failure:
            return failure
        return body.received(response)
    return AttemptTimedOut()


class AsyncLane(Protocol):
    """Where the async driver sends: an httpx client, or unsend's own aiohttp session."""

    async def send(self, step: Send, clock: Clock) -> Reply: ...
    async def aclose(self) -> None: ...


class HttpxAsyncLane:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, step: Send, clock: Clock) -> Reply:
        return await send_async(self.client, step, clock)

    async def aclose(self) -> None:
        await self.client.aclose()


def drive_sync(
    steps: Generator[Step, Reply, T],
    client: httpx.Client,
    clock: Clock,
    sleep: Callable[[float], object] | None = None,
) -> T:
    """Run a machine to its end: perform each step, hand back what happened."""
    stepper = Stepper(steps)
    reply: Reply = None
    while (step := stepper.next(reply)) is not None:
        if isinstance(step, Send):
            reply = send_sync(client, step, clock)
        elif isinstance(step, Sleep):
            (sleep or clock.sleep)(step.seconds)
            reply = None
        elif isinstance(step, Coordinate):
            gate, now, left = step.gate, step.now, step.time_left
            if step.pause is None:
                reply = coordinated(step, gate.reserve_sync(now, left))
            else:
                gate.pause_sync(now, step.pause, left)
                reply = None
        else:
            reply = perform(step, clock)
    return stepper.result


async def drive_async(steps: Generator[Step, Reply, T], lane: AsyncLane, clock: Clock) -> T:
    stepper = Stepper(steps)
    reply: Reply = None
    while (step := stepper.next(reply)) is not None:
        if isinstance(step, Send):
            reply = await lane.send(step, clock)
        elif isinstance(step, Sleep):
            await clock.asleep(step.seconds)
            reply = None
        elif isinstance(step, Coordinate):
            gate, now, left = step.gate, step.now, step.time_left
            if step.pause is None:
                reply = coordinated(step, await gate.reserve_async(now, left))
            else:
                await gate.pause_async(now, step.pause, left)
                reply = None
        else:
            reply = perform(step, clock)
    return stepper.result
