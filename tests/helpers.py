"""Shared test helpers: a scripted transport, and running one cancel in sync or async mode."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import anyio
import httpx

import unsend
from unsend._engine.clock import FakeClock

Step = httpx.Response | Exception


class Script:
    """An httpx handler that answers each request with the next step, and records requests."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.timeouts: list[dict[str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.timeouts.append(dict(request.extensions.get("timeout", {})))
        if not self.steps:
            raise AssertionError(f"unexpected extra request {request.method} {request.url}")
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        # A fresh copy: the client rebinds a response's stream, so one object serves one send.
        return httpx.Response(step.status_code, headers=step.headers, content=step.content)


def run_cancel(
    mode: str,
    provider: unsend.Provider,
    handler: Callable[[httpx.Request], httpx.Response],
    message_id: str = "msg_1",
    *,
    confirm: bool = False,
    **kwargs: Any,
) -> unsend.CancelResult:
    """One cancel through ``Canceller`` (mode "sync") or ``AsyncCanceller`` (mode "async")."""
    kwargs.setdefault("clock", FakeClock())
    transport = httpx.MockTransport(handler)
    if mode == "sync":
        with unsend.Canceller(provider, client=httpx.Client(transport=transport), **kwargs) as c:
            return c.cancel(message_id, confirm=confirm)

    async def main() -> unsend.CancelResult:
        client = httpx.AsyncClient(transport=transport)
        async with unsend.AsyncCanceller(provider, client=client, **kwargs) as c:
            return await c.cancel(message_id, confirm=confirm)

    return anyio.run(main)


def response(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    if content is not None:
        return httpx.Response(status, content=content, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def courier_record(status: str = "ENQUEUED", **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": "msg_1",  # run_cancel's default id: Courier answers with the id cancelled
        "status": status,
        "enqueued": 1_767_225_600_000,
        "recipient": "user-1",
        "event": "reminder",
        "notification": "reminder-template",
    }
    record.update(extra)
    return record


# Three QStash messages with every bulk filter field set (seed 002), shared by bulk tests.
QSTASH_BULK_FIELDS: dict[str, dict[str, str]] = {
    "a": {
        "url": "https://a.example/x",
        "host": "a.example",
        "path": "/x",
        "label": "red",
        "topicName": "t1",
        "queueName": "q1",
        "flowControlKey": "k1",
        "scheduleId": "s1",
        "callerIp": "1.1.1.1",
    },
    "b": {
        "url": "https://b.example/y",
        "host": "b.example",
        "path": "/y",
        "label": "blue",
        "topicName": "t2",
        "queueName": "q1",
        "flowControlKey": "k2",
        "scheduleId": "s2",
        "callerIp": "2.2.2.2",
    },
    "c": {
        "url": "https://a.example/y",
        "host": "a.example",
        "path": "/y",
        "label": "green",
        "topicName": "t1",
        "queueName": "q2",
        "flowControlKey": "k1",
        "scheduleId": "s3",
        "callerIp": "1.1.1.1",
    },
}
