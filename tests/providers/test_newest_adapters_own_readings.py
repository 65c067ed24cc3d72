"""Readings and refusals of the newest adapters that no emulator answer reaches on its own:
EventBridge's error code, credentials and read under ``after_completion``, Brevo's batch status,
Braze's id grammar, Airship's bearer auth, Cloud Tasks' token source, Slack's refusals."""

from __future__ import annotations

import json
import os
import sys
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


# -- construction the conformance cases do not reach -----------------------------------------


def test_eventbridge_without_botocore_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "botocore.session", None)
    with pytest.raises(unsend.ConfigError) as refused:
        unsend.EventBridgeScheduler("AKIDEXAMPLE", "secret-key-0123456789", region="eu-west-1")
    assert (refused.value.message, refused.value.provider) == (
        "the eventbridge provider needs botocore: pip install 'unsend[aws]'",
        "eventbridge",
    )


@pytest.fixture
def no_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """botocore's chain with nothing to find: no variables, files or instance metadata."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.usefixtures("no_aws_environment")
@pytest.mark.parametrize(
    ("options", "said"),
    [
        (
            {"access_key_id": "AKIDEXAMPLE", "region": "eu-west-1"},
            "give access_key_id and secret_access_key together, or neither (the chain)",
        ),
        (
            {"region": "eu-west-1"},
            "no AWS credentials: botocore's chain found none (environment, profile, role)",
        ),
    ],
)
def test_eventbridge_refusals_of_credentials(options: dict[str, str], said: str) -> None:
    with pytest.raises(unsend.ConfigError) as refused:
        unsend.EventBridgeScheduler(**options)
    assert (refused.value.message, refused.value.provider) == (said, "eventbridge")


def test_eventbridge_says_so_when_a_source_of_the_chain_fails(
    no_aws_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.session

    def failing(self: object) -> None:
        raise botocore.exceptions.CredentialRetrievalError(
            provider="container-role", error_msg="403"
        )

    monkeypatch.setattr(botocore.session.Session, "get_credentials", failing)
    with pytest.raises(unsend.ConfigError) as refused:
        unsend.EventBridgeScheduler(region="eu-west-1")
    assert refused.value.message == (
        "no AWS credentials: botocore's chain failed (CredentialRetrievalError)"
    )


@pytest.mark.usefixtures("no_aws_environment")
def test_eventbridge_takes_its_region_and_credentials_from_the_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-the-environment")
    provider = unsend.EventBridgeScheduler()
    assert (provider.region, provider.base_url) == (
        "eu-central-1",
        "https://scheduler.eu-central-1.amazonaws.com",
    )
    assert provider.secrets == ("secret-from-the-environment",)
    assert "Credential=AKIDFROMENV/" in provider.cancel_request("r-1").headers["Authorization"]


def test_airship_bearer_auth_sends_the_token_and_the_app_key() -> None:
    airship = unsend.Airship(
        "app-key-0123", "bearer-token-0123456789", auth="bearer", location="eu"
    )
    request = airship.cancel_request("3b6e2e5c-5fd3-4f1e-9b2a-0d5c2c1f4a11")
    assert request.url.host == "go.airship.eu"
    assert request.headers["Authorization"] == "Bearer bearer-token-0123456789"
    assert request.headers["X-UA-Appkey"] == "app-key-0123"
    assert "location='eu'" in repr(airship)
    with pytest.raises(unsend.ConfigError, match="unknown Airship auth 'BEARER'"):
        unsend.Airship("app-key-0123", "bearer-token-0123456789", auth="BEARER")


@pytest.mark.parametrize("token", ["", None, 5])
def test_a_token_source_that_gives_no_token_is_refused(token: object) -> None:
    tasks = unsend.CloudTasks(token_source=lambda: token, project="my-project")  # type: ignore[arg-type, return-value]
    with pytest.raises(unsend.ConfigError) as refused:
        tasks.cancel_request("my-project:europe-west1:reminders:t-1")
    assert (refused.value.message, refused.value.provider) == (
        "the token source gave no token",
        "cloudtasks",
    )


@pytest.mark.parametrize(
    ("code", "kind", "said"),
    [
        ("fatal_error", unsend.ProviderUnavailable, "slack is unavailable: fatal_error"),
        ("invalid_auth", unsend.AuthenticationError, "slack refused the token: invalid_auth"),
        ("restricted_action", unsend.UnexpectedResponse, "slack answered restricted_action"),
    ],
)
def test_slack_s_refusals_in_an_ok_false_answer(code: str, kind: type, said: str) -> None:
    slack = unsend.Slack("xoxb-slack-token-0123456789")
    answer = httpx.Response(
        200,
        json={"ok": False, "error": code},
        request=httpx.Request("POST", "https://slack.com/api/chat.deleteScheduledMessage"),
    )
    with pytest.raises(kind) as refused:
        slack.cancel_result("C123:Q1298393284", answer)
    assert refused.value.message == said
    assert (refused.value.provider, refused.value.status_code) == ("slack", 200)


def test_cloud_tasks_checks_nothing_without_a_project() -> None:
    tasks = unsend.CloudTasks("ya29.token-for-this-test")
    with pytest.raises(unsend.ConfigError) as refused:
        tasks.check_request()
    assert (refused.value.message, refused.value.provider) == (
        "cloudtasks checks nothing without project= (every request names one)",
        "cloudtasks",
    )
