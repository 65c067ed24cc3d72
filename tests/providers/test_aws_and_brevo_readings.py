"""Readings of the newest adapters that no emulator answer reaches on its own: EventBridge's
error code (header or body, as AWS's protocols send it), its read and cancel under
``after_completion``, Brevo's status of a batch whose emails disagree, Braze's id grammar."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import unsend
from unsend import MessageState
from unsend.providers._brevo import _state_of
from unsend.providers._eventbridge import POSSIBLY_FIRED, _error_code

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


@pytest.mark.parametrize(
    ("after_completion", "outcome", "detail"),
    [("DELETE", "CANCELLED", None), ("NONE", "REQUESTED", POSSIBLY_FIRED)],
)
def test_eventbridge_s_200_means_cancelled_only_for_schedules_deleted_after_completion(
    after_completion: str, outcome: str, detail: str | None
) -> None:
    result = _eventbridge(after_completion).cancel_result("reminder-1", _answer(200, {}))
    assert (result.provider, result.message_id) == ("eventbridge", "reminder-1")
    assert (result.outcome.name, result.status_code, result.detail) == (outcome, 200, detail)


# -- Braze's ids: SCHEDULE_ID, campaign:CAMPAIGN_ID:SCHEDULE_ID, canvas:CANVAS_ID:SCHEDULE_ID --

BRAZE = unsend.Braze("braze-key-0123456789", instance="rest.iad-01.braze.com")


@pytest.mark.parametrize(
    ("message_id", "path", "body"),
    [
        ("s-1", "/messages/schedule/delete", {"schedule_id": "s-1"}),
        (
            "campaign:c-1:s-1",
            "/campaigns/trigger/schedule/delete",
            {"schedule_id": "s-1", "campaign_id": "c-1"},
        ),
        (
            "canvas:v-1:s-1",
            "/canvas/trigger/schedule/delete",
            {"schedule_id": "s-1", "canvas_id": "v-1"},
        ),
    ],
)
def test_a_braze_id_names_its_endpoint_and_body(message_id: str, path: str, body: Any) -> None:
    request = BRAZE.cancel_request(message_id)
    assert request.url.path == path
    assert json.loads(request.content) == body


@pytest.mark.parametrize(
    "message_id", ["campaign:s-1", "canvas:v-1:s-1:x", "other:c-1:s-1", "s-1:x", "campaign::s-1"]
)
def test_a_braze_id_of_another_shape_is_refused(message_id: str) -> None:
    with pytest.raises(unsend.InvalidMessageId) as refused:
        BRAZE.cancel_request(message_id)
    assert refused.value.message == (
        "invalid message id: a braze id is SCHEDULE_ID, campaign:CAMPAIGN_ID:SCHEDULE_ID "
        "or canvas:CANVAS_ID:SCHEDULE_ID"
    )
    assert (refused.value.provider, refused.value.message_id) == ("braze", message_id)
