"""Readings of the newest adapters that no emulator answer reaches on its own: EventBridge's
error code (header or body, as AWS's protocols send it), its read under ``after_completion``,
and Brevo's status of a batch whose emails disagree."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import unsend
from unsend import MessageState
from unsend.providers._brevo import _state_of
from unsend.providers._eventbridge import _error_code

pytest.importorskip("botocore")


def _answer(status: int, body: Any = None, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "https://scheduler.example/schedules/n")
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        (
            {"x-amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/coral/"},
            {},
            "ResourceNotFoundException",
        ),
        ({"x-amzn-ErrorType": "ThrottlingException"}, {}, "ThrottlingException"),
        ({"x-amzn-ErrorType": "A:B:C"}, {"__type": "X"}, "A"),  # the header wins
        ({}, {"__type": "com.amazonaws.scheduler#ConflictException"}, "ConflictException"),
        ({}, {"__type": "a#b#C"}, "C"),
        ({}, {"code": "ValidationException"}, "ValidationException"),
        ({}, {"Code": "InternalServerException"}, "InternalServerException"),
        ({}, {"__type": "", "code": "Z"}, "Z"),
        ({}, {"code": "", "Code": "Y"}, "Y"),
        ({}, {"code": 5}, None),
        ({}, {}, None),
        ({}, [], None),
        ({}, b"<html>", None),
        ({"x-amzn-ErrorType": ""}, {"code": "FromBody"}, "FromBody"),
    ],
)
def test_eventbridge_reads_the_error_code_from_the_header_else_the_body(
    headers: dict[str, str], body: Any, code: str | None
) -> None:
    assert _error_code(_answer(400, body, **headers)) == code


def _eventbridge(after_completion: str) -> Any:
    return unsend.EventBridgeScheduler(
        "AKIDEXAMPLE",
        "secret-key-0123456789",
        region="eu-west-1",
        after_completion=after_completion,
    )


@pytest.mark.parametrize(
    ("after_completion", "message_id", "body", "state", "word"),
    [
        ("DELETE", "reminder-1", {"Name": "reminder-1"}, MessageState.SCHEDULED, "exists"),
        ("NONE", "reminder-1", {"Name": "reminder-1"}, MessageState.UNKNOWN, None),
        (
            "DELETE",
            "team:reminder-1",
            {"Name": "reminder-1", "GroupName": "team"},
            MessageState.SCHEDULED,
            "exists",
        ),
        ("DELETE", "default:reminder-1", {"Name": "reminder-1"}, MessageState.SCHEDULED, "exists"),
    ],
)
def test_eventbridge_reads_a_schedule_that_exists_by_how_yours_are_created(
    after_completion: str, message_id: str, body: Any, state: MessageState, word: str | None
) -> None:
    status = _eventbridge(after_completion).status_result(message_id, _answer(200, body))
    assert (status.state, status.provider_state) == (state, word)


@pytest.mark.parametrize(
    ("message_id", "body"),
    [
        ("reminder-1", {"Name": "other"}),
        ("team:reminder-1", {"Name": "reminder-1"}),  # the default group, not team
        ("reminder-1", {"name": "reminder-1"}),
    ],
)
def test_eventbridge_refuses_a_read_of_another_schedule(message_id: str, body: Any) -> None:
    with pytest.raises(unsend.UnexpectedResponse):
        _eventbridge("DELETE").status_result(message_id, _answer(200, body))


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"status": "queued"}, "queued"),
        ({"status": 3}, None),
        ({"batches": [{"status": "queued"}, {"status": "queued"}]}, "queued"),
        ({"batches": [{"status": "queued"}, {"status": "sent"}]}, None),  # they disagree
        ({"batches": []}, None),
        ({"batches": ["x", {"status": "sent"}]}, "sent"),
        ({"batches": [{"state": "sent"}]}, None),
    ],
)
def test_brevo_reads_one_email_or_a_batch_that_agrees(body: Any, word: str | None) -> None:
    assert _state_of(body) == word
