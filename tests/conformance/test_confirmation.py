"""``confirm=True``, for every provider and entry point: the read after the cancel decides, and it
can only confirm or lower the cancel's claim, never raise it past what the read shows.

A loopback server answers the cancel with the provider's documented success, then the read with
the provider's own answer for the message in one state (captured from the emulator): scheduled,
cancelled, or delivered (the race: sent between the cancel and the read). A provider that
documents no read refuses ``confirm=True`` before sending anything.
"""

from __future__ import annotations

import httpx
import pytest

import unsend
from unsend import MessageState

from .cases import Answer, Case
from .conftest import Scripted
from .entry_points import ENTRY_POINTS

# What a cancel whose answer claimed success becomes, by what the read after it shows: cancelled
# confirms; still scheduled is accepted only; sent is the race, too late. A read that cannot tell
# (QStash forgets a cancelled message; SendGrid keeps nothing for a batch it never paused)
# contradicts nothing: the cancel's own answer stands, and the detail says what was read.
EXPECTED = {
    MessageState.CANCELLED: "CANCELLED",
    MessageState.SCHEDULED: "REQUESTED",
    MessageState.SENT: "NOT_CANCELLABLE",
    MessageState.NOT_FOUND: None,  # the cancel's own answer stands (CANCELLED, or REQUESTED)
    MessageState.UNKNOWN: None,
}
STATES = ("scheduled", "cancelled", "delivered")


def _response(answer: Answer) -> httpx.Response:
    response = httpx.Response(answer.status, headers=list(answer.headers), content=answer.body)
    response.request = httpx.Request("GET", "http://127.0.0.1/")
    return response


def _claimed(case: Case) -> str:
    """What the cancel's documented success says on its own (CANCELLED, or REQUESTED)."""
    provider = case.provider("http://127.0.0.1:1")
    return provider.cancel_result(case.message_id, _response(case.success)).outcome.name


def _read_state(case: Case, state: str) -> MessageState:
    """What the adapter reads in the captured answer (test_status checks that reading)."""
    provider = case.provider("http://127.0.0.1:1")
    response = _response(case.reads[state])
    return provider.status_result(case.message_id, response).state  # type: ignore[attr-defined]


def _serve(serve: object, case: Case, state: str) -> Scripted:
    read = case.reads[state]
    return serve([[case.success.raw()], [read.raw()]])  # type: ignore[operator]


@pytest.mark.parametrize("state", STATES)
def test_the_read_after_the_cancel_decides(
    reading_case: Case, in_process: str, state: str, serve: object
) -> None:
    _decides(reading_case, in_process, state, serve)


def test_the_cli_reports_the_race(reading_case: Case, serve: object) -> None:
    """The CLI's --confirm on the race (the same code as above; one state, a subprocess each)."""
    _decides(reading_case, "cli", "delivered", serve)


def _decides(case: Case, entry_point: str, state: str, serve: object) -> None:
    server = _serve(serve, case, state)
    (seen,) = ENTRY_POINTS[entry_point](case, server.url, [case.message_id], confirm=True)
    assert seen.outcome == (EXPECTED[_read_state(case, state)] or _claimed(case)), seen.shown
    assert len(server.requests) == 2  # the cancel, then one read
    read = case.provider(server.url).status_request(case.message_id)  # type: ignore[attr-defined]
    line = server.requests[1].split(b"\r\n", 1)[0]
    assert line.startswith(f"{read.method} ".encode() + read.url.raw_path + b" ")  # the read
    if state == "delivered":
        assert seen.outcome != "CANCELLED" or _read_state(case, state) in (
            MessageState.NOT_FOUND,
            MessageState.UNKNOWN,
        )


def test_a_read_that_fails_leaves_the_cancel_as_it_was_and_says_so(
    reading_case: Case, in_process: str, serve: object
) -> None:
    case = reading_case
    broken = b"HTTP/1.1 503 X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server = serve([[case.success.raw()], [broken]])  # type: ignore[operator]
    (seen,) = ENTRY_POINTS[in_process](case, server.url, [case.message_id], confirm=True)
    assert seen.outcome in ("CANCELLED", "REQUESTED"), seen.shown
    assert "not confirmed" in seen.shown


def test_a_provider_without_a_read_refuses_confirm(
    unread_case: Case, entry_point: str, serve: object
) -> None:
    case = unread_case
    server = serve([[case.success.raw()]])  # type: ignore[operator]
    try:
        seen = ENTRY_POINTS[entry_point](case, server.url, [case.message_id], confirm=True)
    except unsend.ConfigError:
        seen = []
    assert {s.outcome for s in seen} <= {"ConfigError"}
    assert server.requests == []  # refused before anything was sent
