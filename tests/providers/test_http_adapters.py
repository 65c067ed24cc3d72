"""The five newer adapters on plain values: requests built exactly, every answer read exactly."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

import unsend
from tests.helpers import response
from unsend import Outcome

SID = "AC" + "1" * 32
SM = "SM" + "a" * 32
UUID = "4b2c8a10-0000-4000-8000-0000000000aa"

TWILIO = unsend.Twilio(SID, "tw-secret")
RESEND = unsend.Resend("re_secret")
SENDGRID = unsend.SendGrid("SG.secret")
KNOCK = unsend.Knock("sk_secret")
NOVU = unsend.Novu("novu-secret")


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def test_requests_are_exactly_what_each_reference_documents() -> None:
    twilio = TWILIO.cancel_request(SM)
    assert (twilio.method, str(twilio.url)) == (
        "POST",
        f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages/{SM}.json",
    )
    assert twilio.content == b"Status=canceled"
    assert (
        twilio.headers["authorization"]
        == "Basic " + base64.b64encode(f"{SID}:tw-secret".encode()).decode()
    )
    resend = RESEND.cancel_request(UUID)
    assert (resend.method, str(resend.url)) == (
        "POST",
        f"https://api.resend.com/emails/{UUID}/cancel",
    )
    assert resend.headers["authorization"] == "Bearer re_secret"
    sendgrid = SENDGRID.cancel_request("batch_1-x")
    assert (sendgrid.method, str(sendgrid.url)) == (
        "POST",
        "https://api.sendgrid.com/v3/user/scheduled_sends",
    )
    assert body(sendgrid) == {"batch_id": "batch_1-x", "status": "cancel"}
    assert unsend.SendGrid("k", region="eu").base_url == "https://api.eu.sendgrid.com"
    knock = KNOCK.cancel_request("reminder:key-1")
    assert str(knock.url) == "https://api.knock.app/v1/workflows/reminder/cancel"
    assert body(knock) == {"cancellation_key": "key-1"}
    some = KNOCK.cancel_request(unsend.Knock.message_id("reminder", "key:2", ["u1", "u2"]))
    assert body(some) == {"cancellation_key": "key:2", "recipients": ["u1", "u2"]}
    novu = NOVU.cancel_request("txn-1")
    assert (novu.method, str(novu.url)) == ("DELETE", "https://api.novu.co/v1/events/trigger/txn-1")
    assert novu.headers["authorization"] == "ApiKey novu-secret"
    assert unsend.Novu("k", region="eu").base_url == "https://eu.api.novu.co"


@pytest.mark.parametrize(
    ("adapter", "message_id", "resp", "outcome"),
    [
        (TWILIO, SM, response(200, {"sid": SM, "status": "canceled"}), Outcome.CANCELLED),
        (TWILIO, SM, response(400, {"code": 30409, "message": "gone"}), Outcome.NOT_CANCELLABLE),
        (TWILIO, SM, response(409, {"code": 30409, "message": "gone"}), Outcome.NOT_CANCELLABLE),
        (TWILIO, SM, response(404, {"code": 20404, "message": "no"}), Outcome.NOT_FOUND),
        (RESEND, UUID, response(200, {"object": "email", "id": UUID}), Outcome.CANCELLED),
        (RESEND, UUID, response(404, {"name": "not_found", "message": "x"}), Outcome.NOT_FOUND),
        (
            SENDGRID,
            "b1",
            response(201, {"batch_id": "b1", "status": "cancel"}),
            Outcome.CANCELLED,
        ),
        (SENDGRID, "b1", response(404, {"errors": [{"message": "no"}]}), Outcome.NOT_FOUND),
        (KNOCK, "wf:k", response(204), Outcome.REQUESTED),
        (KNOCK, "wf:k", response(404, {"message": "workflow not found"}), Outcome.NOT_FOUND),
        (NOVU, "t", response(200, {"data": True}), Outcome.CANCELLED),
        (NOVU, "t", response(200, True), Outcome.CANCELLED),
        (NOVU, "t", response(200, {"data": False}), Outcome.NOT_FOUND),
        (NOVU, "t", response(404, {"message": "no"}), Outcome.NOT_FOUND),
    ],
)
def test_outcomes(adapter: Any, message_id: str, resp: httpx.Response, outcome: Outcome) -> None:
    result = adapter.cancel_result(message_id, resp)
    assert result.outcome is outcome
    assert result.status_code == resp.status_code


def test_what_the_outcomes_say() -> None:
    assert "accepted" in (KNOCK.cancel_result("wf:k", response(204)).detail or "")
    novu = NOVU.cancel_result("t", response(200, {"data": False}))
    assert "nothing was waiting" in (novu.detail or "")
    twilio = TWILIO.cancel_result(SM, response(400, {"code": 30409}))
    assert twilio.detail == "no longer scheduled (sent, or cancelled before)"


@pytest.mark.parametrize(
    ("adapter", "message_id", "resp", "error"),
    [
        (TWILIO, SM, response(200, {"sid": SM, "status": "scheduled"}), unsend.UnexpectedResponse),
        (
            TWILIO,
            SM,
            response(200, {"sid": "SM" + "b" * 32, "status": "canceled"}),
            unsend.UnexpectedResponse,
        ),
        (TWILIO, SM, response(400, {"code": 21610, "message": "x"}), unsend.UnexpectedResponse),
        (TWILIO, SM, response(429, {"code": 20429}), unsend.RateLimited),
        (TWILIO, SM, response(401, {"code": 20003}), unsend.AuthenticationError),
        (RESEND, UUID, response(200, {"id": "other"}), unsend.UnexpectedResponse),
        (
            RESEND,
            UUID,
            response(400, {"name": "validation_error", "message": "no"}),
            unsend.UnexpectedResponse,
        ),
        (RESEND, UUID, response(429, {"name": "daily_quota_exceeded"}), unsend.DailyLimitExceeded),
        (RESEND, UUID, response(429, {"name": "rate_limit_exceeded"}), unsend.RateLimited),
        (
            SENDGRID,
            "b1",
            response(201, {"batch_id": "b1", "status": "pause"}),
            unsend.UnexpectedResponse,
        ),
        (
            SENDGRID,
            "b1",
            response(400, {"errors": [{"message": "exists"}]}),
            unsend.UnexpectedResponse,
        ),
        (SENDGRID, "b1", response(503), unsend.ProviderUnavailable),
        (KNOCK, "wf:k", response(422, {"message": "bad"}), unsend.UnexpectedResponse),
        (NOVU, "t", response(200, {"data": "yes"}), unsend.UnexpectedResponse),
        (NOVU, "t", response(200, content=b"<html>"), unsend.UnexpectedResponse),
    ],
)
def test_answers_that_are_not_outcomes(
    adapter: Any, message_id: str, resp: httpx.Response, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        adapter.cancel_result(message_id, resp)
    assert type(caught.value) is error


def test_daily_quota_is_never_retried_and_rate_limits_are() -> None:
    policy = unsend.RetryPolicy()
    quota = RESEND.error_for(UUID, response(429, {"name": "monthly_quota_exceeded"}))
    assert not policy.should_retry(quota)
    assert policy.should_retry(RESEND.error_for(UUID, response(429, {})))


@pytest.mark.parametrize(
    ("adapter", "bad"),
    [
        (TWILIO, "SM123"),
        (TWILIO, "MX" + "a" * 32),
        (RESEND, "not-a-uuid"),
        (SENDGRID, "batch id"),
        (SENDGRID, "x" * 101),
        (KNOCK, "nocolon"),
        (KNOCK, "Wf:key"),
        (KNOCK, "wf:"),
        (KNOCK, "wf:key;to="),
        (KNOCK, "wf:key;to=a,,b"),
        (NOVU, "a/b"),
    ],
)
def test_ids_are_refused_before_a_request(adapter: Any, bad: str) -> None:
    with pytest.raises(unsend.InvalidMessageId):
        adapter.cancel_request(bad)


def test_credentials_are_checked_masked_and_redacted() -> None:
    with pytest.raises(unsend.ConfigError, match="account_sid"):
        unsend.Twilio("AC123", "t")
    with pytest.raises(unsend.ConfigError, match="region"):
        unsend.SendGrid("k", region="us")
    with pytest.raises(unsend.ConfigError, match="region"):
        unsend.Novu("k", region="apac")
    for adapter, secret in (
        (TWILIO, "tw-secret"),
        (RESEND, "re_secret"),
        (SENDGRID, "SG.secret"),
        (KNOCK, "sk_secret"),
        (NOVU, "novu-secret"),
    ):
        assert secret not in repr(adapter)
        assert secret in adapter.secrets
    echoed = RESEND.cancel_result(UUID, response(404, {"message": "key re_secret is wrong"}))
    assert "re_secret" not in (echoed.detail or "")
    with pytest.raises(ValueError, match="comma"):
        unsend.Knock.message_id("wf", "k", ["a,b"])


# -- Knock's ids: WORKFLOW:KEY[;to=USER,USER] ----------------------------------------------


@pytest.mark.parametrize(
    ("users", "made"), [([], "wf:k"), (["u1"], "wf:k;to=u1"), (["u1", "u2"], "wf:k;to=u1,u2")]
)
def test_a_knock_id_is_made_from_its_parts(users: list[str], made: str) -> None:
    assert unsend.Knock.message_id("wf", "k", users) == made
    assert KNOCK.parse(made) == ("wf", "k", users)


@pytest.mark.parametrize("users", [["a,b"], [""], ["u1", ""]])
def test_a_knock_recipient_with_a_comma_or_empty_is_refused(users: list[str]) -> None:
    with pytest.raises(ValueError) as refused:
        unsend.Knock.message_id("wf", "k", users)
    assert str(refused.value) == "a Knock recipient id is non-empty and holds no comma"


def test_a_knock_key_may_hold_to_the_recipients_start_at_the_last() -> None:
    assert KNOCK.parse("wf:k;to=x;to=u1,u2") == ("wf", "k;to=x", ["u1", "u2"])


@pytest.mark.parametrize(
    ("message_id", "why"),
    [
        ("wf:;to=u1", "the cancellation key is empty"),
        ("wf:k;to=u1,,u2", "a recipient is empty"),
        ("wf:k;to=", "a recipient is empty"),
        ("k", "a Knock id is WORKFLOW_KEY:CANCELLATION_KEY"),
    ],
)
def test_a_knock_id_that_does_not_parse_says_why(message_id: str, why: str) -> None:
    with pytest.raises(unsend.InvalidMessageId) as refused:
        KNOCK.parse(message_id)
    assert refused.value.message == f"invalid message id: {why}"
    assert (refused.value.provider, refused.value.message_id) == ("knock", message_id)


# -- SendGrid after a 400, Resend's "not scheduled" (#24 items 7, 11) ------------------------


def _sendgrid_400(text: str) -> unsend.UnexpectedResponse:
    sendgrid = unsend.SendGrid("SG.key-for-tests")
    with pytest.raises(unsend.UnexpectedResponse) as caught:
        sendgrid.cancel_result("b1", response(400, {"errors": [{"message": text}]}))
    return caught.value


def test_sendgrid_reads_the_batch_after_a_400() -> None:
    sendgrid = unsend.SendGrid("SG.key-for-tests")
    error = _sendgrid_400("a status for this batch id exists")
    request = sendgrid.follow_up_request("b1", error)
    assert request is not None
    assert (request.method, request.url.path) == ("GET", "/v3/user/scheduled_sends/b1")
    cancelled = response(200, [{"batch_id": "b1", "status": "cancel"}])
    assert sendgrid.follow_up_result("b1", error, cancelled).outcome is Outcome.ALREADY_CANCELLED
    paused = response(200, [{"batch_id": "b1", "status": "pause"}])
    with pytest.raises(unsend.UnexpectedResponse) as was_paused:
        sendgrid.follow_up_result("b1", error, paused)
    assert was_paused.value.message == ("the batch is paused, not cancelled (resume or PATCH it)")
    assert (was_paused.value.provider, was_paused.value.message_id) == ("sendgrid", "b1")
    for unsettled in (
        response(404, {"errors": [{"message": "no"}]}),
        response(200, [{"batch_id": "other", "status": "cancel"}]),
        response(200, {"weird": True}),
    ):
        with pytest.raises(unsend.UnexpectedResponse) as caught:
            sendgrid.follow_up_result("b1", error, unsettled)
        assert caught.value is error  # the 400 stands
    unavailable = unsend.ProviderUnavailable("x", status_code=503)
    assert sendgrid.follow_up_request("b1", unavailable) is None


def test_sendgrid_s_ten_minute_cut_off_is_not_cancellable() -> None:
    sendgrid = unsend.SendGrid("SG.key-for-tests")
    answer = response(400, {"errors": [{"message": "too late: less than 10 minutes before"}]})
    assert sendgrid.cancel_result("b1", answer).outcome is Outcome.NOT_CANCELLABLE


def test_resend_s_not_scheduled_is_not_cancellable() -> None:
    resend = unsend.Resend("re_key_for_tests")
    email = "9f1c2d3e-0000-4000-8000-000000000001"
    said = response(400, {"name": "x", "message": "Email is not scheduled and cannot be canceled"})
    assert resend.cancel_result(email, said).outcome is Outcome.NOT_CANCELLABLE
    with pytest.raises(unsend.UnexpectedResponse):
        resend.cancel_result(email, response(400, {"name": "x", "message": "something else"}))


def test_a_second_cancel_is_settled_by_the_read(unsend_emulator: Any) -> None:
    """Through the emulator: the refused second cancel, then the read; one result for both."""
    emu = unsend_emulator
    (batch,) = emu.seed("sendgrid")
    with emu.canceller("sendgrid") as canceller:
        assert canceller.cancel(batch).outcome is Outcome.CANCELLED
        again = canceller.cancel(batch)
    assert again.outcome is Outcome.ALREADY_CANCELLED
    assert again.attempts == 2  # the refused cancel and the read
