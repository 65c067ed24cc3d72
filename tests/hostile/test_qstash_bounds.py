"""QStash's bulk actions and schedules against a lying server: every loop ends, every count is
checked against what was asked, a partial outcome is reported whole."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import unsend
from unsend._engine.clock import FakeClock

from .server import HostileServer, request_line, response

TOKEN = "qstash-token-hostile-1"
SLACK = 1.0  # real-clock bound: the wait plus a second a loaded machine cannot eat


def _json(status: int, body: Any) -> bytes:
    return response(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def _action(action_id: str, **change: Any) -> dict[str, Any]:
    return {
        "actionId": action_id,
        "state": "IN_PROGRESS",
        "kind": "cancel",
        "total": 10,
        "processed": 1,
        "createdAt": 1_767_225_600_000,
        **change,
    }


def _serve(route: Callable[[str], list[bytes | float]]) -> HostileServer:
    return HostileServer(lambda head: route(request_line(head)))


def _run(mode: str, url: str, call: Callable[[Any], Any], **options: Any) -> Any:
    provider = unsend.QStash(TOKEN, base_url=url)
    if mode == "sync":
        with unsend.Canceller(provider, **options) as canceller:
            return call(canceller)

    async def main() -> Any:
        async with unsend.AsyncCanceller(provider, **options) as canceller:
            result = call(canceller)
            if hasattr(result, "__aiter__"):
                return [item async for item in result]
            return await result

    return anyio.run(main)


def test_wait_timeout_bounds_the_whole_call_when_polls_fail(mode: str) -> None:
    def route(line: str) -> list[bytes | float]:
        if line.startswith("DELETE"):
            return [_json(200, {"actionId": "act-1"})]
        return [response(503, b"busy", {"Retry-After": "1"})]  # every poll

    with _serve(route) as server:
        started = time.monotonic()
        # The poll's retries may not outlast the wait: it ends as a timeout, or as the 503
        # whose next retry would come too late, either way by the wait.
        with pytest.raises((unsend.BulkActionTimeout, unsend.ProviderUnavailable)):
            _run(mode, server.url, lambda c: c.cancel_matching(label="x", wait_timeout=1))
        took = time.monotonic() - started
    assert took < 1 + SLACK, took  # the policy's own 30 s deadline no longer stretches it


def test_wait_timeout_bounds_the_whole_call_when_polls_are_slow(mode: str) -> None:
    def route(line: str) -> list[bytes | float]:
        if line.startswith("DELETE"):
            return [_json(200, {"actionId": "act-1"})]
        return [0.7, _json(200, _action("act-1"))]

    with _serve(route) as server:
        started = time.monotonic()
        with pytest.raises(unsend.BulkActionTimeout):
            _run(mode, server.url, lambda c: c.cancel_matching(label="x", wait_timeout=1))
        took = time.monotonic() - started
    assert took < 1 + SLACK, took


@pytest.mark.parametrize(
    "lie",
    [
        {"processed": 11, "total": 10, "state": "FINISHED"},
        {"kind": "delete", "state": "FINISHED", "processed": 10},
    ],
    ids=["processed more than total", "not a cancel"],
)
def test_an_impossible_action_is_never_counted(mode: str, lie: dict[str, Any]) -> None:
    def route(line: str) -> list[bytes | float]:
        if line.startswith("DELETE"):
            return [_json(200, {"actionId": "act-1"})]
        return [_json(200, _action("act-1", **lie))]

    with _serve(route) as server, pytest.raises(unsend.UnexpectedResponse):
        _run(mode, server.url, lambda c: c.cancel_matching(label="x"), clock=FakeClock())


def test_a_count_larger_than_the_ids_sent_is_unexpected(mode: str) -> None:
    answer = _json(200, {"cancelled": 10**18})
    with _serve(lambda line: [answer]) as server, pytest.raises(unsend.UnexpectedResponse):
        _run(mode, server.url, lambda c: c.cancel_ids(["m1", "m2", "m3"]))


def test_a_batch_answered_full_forever_ends_by_the_wait(mode: str) -> None:
    with _serve(lambda line: [_json(200, {"cancelled": 10})]) as server:
        started = time.monotonic()
        with pytest.raises(unsend.BulkActionTimeout) as caught:
            _run(mode, server.url, lambda c: c.cancel_matching(label="x", batch=10, wait_timeout=1))
        took = time.monotonic() - started
    assert took < 1 + SLACK, took
    assert caught.value.processed >= 10


def test_a_wait_that_ends_inside_a_request_is_the_waits_timeout(mode: str) -> None:
    """The second batch's answer comes after the wait: a BulkActionTimeout with the first
    batch's count, not that request's transport error."""
    answers = iter([[_json(200, {"cancelled": 10})], [3.0, _json(200, {"cancelled": 10})]])
    with _serve(lambda line: next(answers)) as server:
        started = time.monotonic()
        with pytest.raises(unsend.BulkActionTimeout) as caught:
            _run(mode, server.url, lambda c: c.cancel_matching(label="x", batch=10, wait_timeout=1))
        took = time.monotonic() - started
    assert took < 1 + SLACK, took
    assert caught.value.processed == 10


def test_a_batch_count_larger_than_the_batch_is_unexpected(mode: str) -> None:
    answer = _json(200, {"cancelled": 11})
    with _serve(lambda line: [answer]) as server, pytest.raises(unsend.UnexpectedResponse):
        _run(mode, server.url, lambda c: c.cancel_matching(label="x", batch=10))


@pytest.mark.parametrize("cursors", [["A", "A"], ["A", "B", "A"]], ids=["A-A", "A-B-A"])
def test_a_cursor_that_comes_back_ends_the_listing(mode: str, cursors: list[str]) -> None:
    answers = iter(cursors * 10)

    def route(line: str) -> list[bytes | float]:
        return [_json(200, {"bulkActions": [_action("a")], "cursor": next(answers)})]

    with _serve(route) as server, pytest.raises(unsend.UnexpectedResponse, match="repeats"):
        _run(
            mode, server.url, lambda c: c.bulk_actions() if mode == "async" else [*c.bulk_actions()]
        )


def test_a_schedule_delete_answered_with_a_page_is_not_cancelled(mode: str) -> None:
    portal = response(200, b"<html>Sign in</html>", {"Content-Type": "text/html"})
    with _serve(lambda line: [portal]) as server, pytest.raises(unsend.UnexpectedResponse):
        _run(mode, server.url, lambda c: c.cancel_schedule("scd_1", pending=False))


def test_a_deleted_schedule_is_reported_when_its_pending_part_fails(mode: str) -> None:
    def route(line: str) -> list[bytes | float]:
        if "/v2/schedules/" in line:
            return [response(200)]
        return [_json(412, {"error": "too many bulk actions in progress"})]

    with _serve(route) as server, pytest.raises(unsend.ScheduleCancelIncomplete) as caught:
        _run(mode, server.url, lambda c: c.cancel_schedule("scd_1"), clock=FakeClock())
    error = caught.value
    assert isinstance(error.result, unsend.ScheduleResult)
    assert error.result.outcome is unsend.Outcome.CANCELLED  # the deletion is not lost
    assert error.result.pending is None
    assert isinstance(error.error, unsend.BulkActionRefused)
    assert isinstance(error.__cause__, unsend.BulkActionRefused)
