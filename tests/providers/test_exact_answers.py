"""Every answer of every adapter, compared whole: the result value, or the error's every field.

Checking only the outcome lets a result carry the wrong provider, id or status unnoticed; these
tables pin all of it, and the exact texts a user reads.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import unsend
from tests.helpers import courier_record
from unsend import CancelResult, Outcome

SECRET = "s3cret-token-value"
QSTASH = unsend.QStash(SECRET)
ONESIGNAL = unsend.OneSignal("app-id-0001", SECRET)
COURIER = unsend.Courier(SECRET)


def answer(status: int, body: Any = None, content: bytes | None = None, **headers: str) -> Any:
    if content is not None:
        return httpx.Response(status, content=content, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


RESULTS = [
    (QSTASH, answer(200), CancelResult("qstash", "m-1", Outcome.CANCELLED, status_code=200)),
    (
        QSTASH,
        answer(404, {"error": "message not found"}),
        CancelResult(
            "qstash", "m-1", Outcome.NOT_FOUND, status_code=404, detail="message not found"
        ),
    ),
    (
        QSTASH,
        answer(404, {"error": f"gone, token {SECRET}"}),
        CancelResult("qstash", "m-1", Outcome.NOT_FOUND, status_code=404, detail="gone, token ***"),
    ),
    (
        ONESIGNAL,
        answer(200, {"success": True}),
        CancelResult("onesignal", "m-1", Outcome.CANCELLED, status_code=200),
    ),
    (
        ONESIGNAL,
        answer(400, {"errors": ["Notification has already been sent", f"key {SECRET}"]}),
        CancelResult(
            "onesignal",
            "m-1",
            Outcome.NOT_CANCELLABLE,
            status_code=400,
            detail="Notification has already been sent; key ***",
        ),
    ),
    (
        ONESIGNAL,
        answer(404, {"errors": ["Notification not found"]}),
        CancelResult(
            "onesignal", "m-1", Outcome.NOT_FOUND, status_code=404, detail="Notification not found"
        ),
    ),
    (
        ONESIGNAL,
        answer(404, content=b"<html>"),
        CancelResult("onesignal", "m-1", Outcome.NOT_FOUND, status_code=404),
    ),
    (
        ONESIGNAL,
        answer(404, {"errors": "no"}),
        CancelResult("onesignal", "m-1", Outcome.NOT_FOUND, status_code=404),
    ),
    (COURIER, answer(404), CancelResult("courier", "m-1", Outcome.NOT_FOUND, status_code=404)),
]


@pytest.mark.parametrize(("provider", "response", "expected"), RESULTS)
def test_outcomes_are_whole_values(
    provider: Any, response: httpx.Response, expected: CancelResult
) -> None:
    assert provider.cancel_result("m-1", response) == expected


@pytest.mark.parametrize(
    ("status", "status_text", "outcome"),
    [
        (200, "ENQUEUED", Outcome.CANCELLED),
        (409, "CANCELED", Outcome.ALREADY_CANCELLED),
        (409, "SENT", Outcome.NOT_CANCELLABLE),
    ],
)
def test_courier_results_carry_the_record_and_describe_it(
    status: int, status_text: str, outcome: Outcome
) -> None:
    body = courier_record(status_text, reason="FILTERED", error=f"bad {SECRET}", id="m-1")
    result = COURIER.cancel_result("m-1", answer(status, body))
    assert (result.provider, result.message_id, result.outcome) == ("courier", "m-1", outcome)
    assert result.status_code == status
    assert result.detail == f"status {status_text}, reason FILTERED: bad ***"
    assert result.record is not None
    assert result.record.status.value == status_text
    assert result.record.error == "bad ***"


ERRORS = [
    (
        QSTASH,
        answer(200, content=b"<html>portal</html>"),
        unsend.UnexpectedResponse,
        "200 with a body",
        200,
    ),
    (QSTASH, answer(404, {"nope": 1}), unsend.UnexpectedResponse, "404 without an error text", 404),
    (
        QSTASH,
        answer(404, content=b"not json"),
        unsend.UnexpectedResponse,
        "response body is not JSON",
        404,
    ),
    (
        ONESIGNAL,
        answer(200, {"success": "true"}),
        unsend.UnexpectedResponse,
        '200 without "success": true',
        200,
    ),
    (ONESIGNAL, answer(200, [True]), unsend.UnexpectedResponse, '200 without "success": true', 200),
    (
        ONESIGNAL,
        answer(200, content=b"{"),
        unsend.UnexpectedResponse,
        "response body is not JSON",
        200,
    ),
    (
        ONESIGNAL,
        answer(400, {"errors": []}),
        unsend.UnexpectedResponse,
        "400 without an errors list",
        400,
    ),
    (
        ONESIGNAL,
        answer(400, {"errors": [1]}),
        unsend.UnexpectedResponse,
        "400 without an errors list",
        400,
    ),
    (
        ONESIGNAL,
        answer(400, content=b"x"),
        unsend.UnexpectedResponse,
        "response body is not JSON",
        400,
    ),
    (
        COURIER,
        answer(200, {"id": 1}),
        unsend.UnexpectedResponse,
        "message record does not match",
        200,
    ),
    (
        COURIER,
        answer(409, content=b"x"),
        unsend.UnexpectedResponse,
        "response body is not JSON",
        409,
    ),
    (
        QSTASH,
        answer(401, {"error": "no"}),
        unsend.AuthenticationError,
        "qstash refused the credentials",
        401,
    ),
    (
        ONESIGNAL,
        answer(403, {"errors": ["no"]}),
        unsend.AuthenticationError,
        "onesignal refused the credentials",
        403,
    ),
    (COURIER, answer(401), unsend.AuthenticationError, "courier refused the credentials", 401),
    (COURIER, answer(429), unsend.RateLimited, "courier rate limit exceeded", 429),
    (
        ONESIGNAL,
        answer(503, content=b"<html>"),
        unsend.ProviderUnavailable,
        "onesignal is unavailable",
        503,
    ),
    (
        QSTASH,
        answer(418, content=f"teapot {SECRET}".encode()),
        unsend.UnexpectedResponse,
        "unexpected HTTP 418",
        418,
    ),
]


@pytest.mark.parametrize(("provider", "response", "error", "text", "status"), ERRORS)
def test_errors_carry_every_field(
    provider: Any, response: httpx.Response, error: type[unsend.UnsendError], text: str, status: int
) -> None:
    with pytest.raises(error) as caught:
        provider.cancel_result("m-1", response)
    raised = caught.value
    assert type(raised) is error
    assert (raised.provider, raised.message_id, raised.status_code) == (
        provider.name,
        "m-1",
        status,
    )
    assert raised.message.startswith(text), raised.message
    shown = f"{raised} {raised!r} {getattr(raised, 'body_excerpt', '')}"
    assert SECRET not in shown
    if isinstance(raised, unsend.UnexpectedResponse) and response.content:
        assert raised.body_excerpt  # the excerpt is kept, redacted


def test_the_region_error_names_the_fix_and_every_field() -> None:
    response = answer(404, {"error": f"user not found in this region ({SECRET})"})
    with pytest.raises(unsend.ConfigError) as caught:
        QSTASH.cancel_result("m-1", response)
    raised = caught.value
    assert (raised.provider, raised.message_id, raised.status_code) == ("qstash", "m-1", 404)
    assert "another region; set region= or base_url=" in raised.message
    assert SECRET not in str(raised)


@pytest.mark.parametrize(
    ("provider", "method", "url", "headers"),
    [
        (
            QSTASH,
            "DELETE",
            "https://qstash.upstash.io/v2/messages/a%3Ab",
            {"authorization": f"Bearer {SECRET}"},
        ),
        (
            ONESIGNAL,
            "DELETE",
            "https://api.onesignal.com/notifications/a%3Ab?app_id=app-id-0001",
            {"authorization": f"Key {SECRET}", "accept": "application/json"},
        ),
        (
            COURIER,
            "POST",
            "https://api.courier.com/messages/a%3Ab/cancel",
            {
                "authorization": f"Bearer {SECRET}",
                "accept": "application/json",
                "content-length": "0",
            },
        ),
    ],
)
def test_requests_are_exactly_what_the_provider_documents(
    provider: Any, method: str, url: str, headers: dict[str, str]
) -> None:
    request = provider.cancel_request("a:b")
    assert request.method == method
    assert str(request.url) == url
    for name, value in headers.items():
        assert request.headers[name] == value
    assert request.content == b""
    assert request.headers["host"] == httpx.URL(url).netloc.decode()


@pytest.mark.parametrize(
    ("build", "key", "text"),
    [
        (
            lambda: unsend.QStash("tok-12345", region="mars"),
            None,
            "unknown QStash region 'mars'; expected one of eu-central-1, us-east-1",
        ),
        (
            lambda: unsend.QStash("tok-12345", base_url="ftp://x"),
            None,
            "base_url must be an absolute http:// or https:// URL",
        ),
        (
            lambda: unsend.Courier("tok-12345", base_url="https://x/?a=1"),
            None,
            "base_url must not carry a query or fragment",
        ),
        (
            lambda: unsend.Courier("tok-12345", base_url="https://u:p@x"),
            None,
            "base_url must not carry credentials",
        ),
        (
            lambda: unsend.OneSignal("app-1", "key-12345", base_url="not a url"),
            None,
            "base_url must be an absolute",
        ),
        (lambda: unsend.OneSignal("", "key-12345"), "app_id", "a onesignal app_id is required"),
        (lambda: unsend.OneSignal("app-1", " "), "api_key", "a onesignal api_key is required"),
        (lambda: unsend.Courier("\t"), "token", "a courier token is required"),
        (lambda: unsend.QStash(""), "token", "a qstash token is required"),
    ],
)
def test_configuration_errors_say_exactly_what_is_wrong(
    build: Any, key: str | None, text: str
) -> None:
    with pytest.raises(unsend.ConfigError) as caught:
        build()
    assert caught.value.message.startswith(text), caught.value.message
    assert caught.value.provider in ("qstash", "onesignal", "courier")


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://127.0.0.1:8288/", "http://127.0.0.1:8288"),
        ("https://proxy.example/qstash/", "https://proxy.example/qstash"),
        ("https://proxy.example", "https://proxy.example"),
    ],
)
def test_base_urls_are_normalized_and_used(base_url: str, expected: str) -> None:
    provider = unsend.QStash("tok-12345", base_url=base_url)
    assert provider.base_url == expected
    assert str(provider.cancel_request("m-1").url) == f"{expected}/v2/messages/m-1"


def test_regions_pick_their_hosts() -> None:
    assert unsend.QStash("tok-12345").base_url == "https://qstash.upstash.io"
    assert (
        unsend.QStash("tok-12345", region="us-east-1").base_url
        == "https://qstash-us-east-1.upstash.io"
    )
    assert (
        unsend.QStash("tok-12345", region="eu-central-1").base_url
        == "https://qstash-eu-central-1.upstash.io"
    )
    assert unsend.QStash("tok-12345", region="us-east-1").region == "us-east-1"


@pytest.mark.parametrize(
    ("provider", "base_url"),
    [
        (QSTASH, "https://qstash.upstash.io"),
        (ONESIGNAL, "https://api.onesignal.com"),
        (COURIER, "https://api.courier.com"),
    ],
)
def test_the_base_url_attribute_is_the_resolved_one(provider: Any, base_url: str) -> None:
    assert provider.base_url == base_url


def test_a_courier_record_echoing_the_token_everywhere_comes_back_whole_and_blank() -> None:
    from datetime import UTC, datetime

    body = courier_record("SENT", reason="FAILED", error=f"e {SECRET}", recipient=f"r {SECRET}") | {
        "id": "m-1",
        "event": f"v {SECRET}",
        "notification": f"n {SECRET}",
    }
    result = COURIER.cancel_result("m-1", answer(409, body))
    assert result.record == unsend.MessageRecord(
        id="m-1",
        status=unsend.CourierStatus.SENT,
        enqueued=datetime(2026, 1, 1, tzinfo=UTC),
        recipient="r ***",
        event="v ***",
        notification="n ***",
        error="e ***",
        reason=unsend.CourierReason.FAILED,
    )


def test_a_bulk_answer_without_count_or_action_reads_exactly() -> None:
    with pytest.raises(unsend.UnexpectedResponse) as caught:
        QSTASH.bulk_cancel_result(answer(200, {"other": SECRET}))
    assert caught.value.provider == "qstash"
    assert caught.value.message == 'bulk answer has neither "cancelled" nor "actionId"'
    assert SECRET not in caught.value.body_excerpt


def test_the_region_error_reads_exactly() -> None:
    with pytest.raises(unsend.ConfigError) as caught:
        QSTASH.cancel_result("m-1", answer(404, {"error": "User not found in this region"}))
    assert caught.value.message == (
        "QStash says 'User not found in this region': the token belongs to another region; "
        "set region= or base_url= to that region"
    )
