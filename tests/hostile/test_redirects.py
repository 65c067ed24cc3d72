"""A response to any request other than the one unsend built is never an outcome."""

from __future__ import annotations

import httpx
import pytest

import unsend
from unsend._engine.call import Received, Send, cancel_call
from unsend._engine.clock import FakeClock

from .run import timed_cancel
from .server import HostileServer, request_line, response

SUCCESS = b'{"success": true}'


def redirecting(status: int) -> HostileServer:
    """DELETE /notifications/… -> ``status`` to /elsewhere; anything at /elsewhere -> success."""

    def respond(head: bytes) -> list[bytes]:
        if " /elsewhere" in request_line(head):
            return [response(200, SUCCESS, {"Content-Type": "application/json"})]
        return [response(status, b"", {"Location": "/elsewhere"})]

    return HostileServer(respond)


def test_an_answer_to_another_request_is_unexpected() -> None:
    """httpx's clients bind a response to the request sent; another transport may not."""
    provider = unsend.OneSignal("app-id-1234", "api-key-1234")
    call = cancel_call(
        provider,
        "msg_1",
        policy=unsend.RetryPolicy(),
        timeout=httpx.Timeout(5),
        clock=FakeClock(),
        on_retry=None,
        gates=(),
    )
    steps = call.steps()
    send = next(steps)
    assert isinstance(send, Send)
    other = httpx.Request("GET", "https://api.onesignal.com/elsewhere")
    answer = httpx.Response(200, json={"success": True}, request=other)
    with pytest.raises(unsend.UnexpectedResponse, match="another request"):
        steps.send(Received.of(answer, None))
    same = httpx.Response(200, json={"success": True}, request=send.request)
    steps = call.steps()
    next(steps)
    with pytest.raises(StopIteration) as done:
        steps.send(Received.of(same, None))
    assert done.value.value.outcome is unsend.Outcome.CANCELLED


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Please sign in to the Wi-Fi</body></html>", b"OK", b"\xff\xfe"],
)
@pytest.mark.parametrize("status", [200, 202])
def test_a_qstash_success_with_a_body_that_is_not_json_is_unexpected(
    mode: str, status: int, body: bytes
) -> None:
    answer = response(status, body, {"Content-Type": "text/html"})
    with HostileServer(lambda head: [answer]) as server:
        provider = unsend.QStash("qstash-token-1234", base_url=server.url)
        _, outcome = timed_cancel(mode, provider, clock=FakeClock())
    assert isinstance(outcome, unsend.UnexpectedResponse), repr(outcome)


@pytest.mark.parametrize("body", [b"", b"  \r\n"])
def test_a_qstash_success_with_no_body_is_cancelled(mode: str, body: bytes) -> None:
    answer = response(200, body)
    with HostileServer(lambda head: [answer]) as server:
        provider = unsend.QStash("qstash-token-1234", base_url=server.url)
        _, outcome = timed_cancel(mode, provider, clock=FakeClock())
    assert isinstance(outcome, unsend.CancelResult), repr(outcome)
    assert outcome.outcome is unsend.Outcome.CANCELLED


@pytest.mark.parametrize("body", [b"{}", b'{"messageId": "msg_1"}'])
def test_a_qstash_200_with_any_body_is_not_its_cancel(mode: str, body: bytes) -> None:
    # QStash documents 200 with no body; even JSON is not its answer.
    answer = response(200, body)
    with HostileServer(lambda head: [answer]) as server:
        provider = unsend.QStash("qstash-token-1234", base_url=server.url)
        _, outcome = timed_cancel(mode, provider, clock=FakeClock())
    assert isinstance(outcome, unsend.UnexpectedResponse), repr(outcome)
