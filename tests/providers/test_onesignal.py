from __future__ import annotations

import httpx
import pytest

import unsend
from tests.helpers import response
from unsend import Outcome

ONESIGNAL = unsend.OneSignal("app-uuid-1", "onesignal-secret-key")


def result(resp: httpx.Response) -> unsend.CancelResult:
    return ONESIGNAL.cancel_result("notif-1", resp)


def test_request_has_key_auth_and_app_id_in_the_query() -> None:
    request = ONESIGNAL.cancel_request("notif-1")
    assert request.method == "DELETE"
    assert request.url.path == "/notifications/notif-1"
    assert request.url.params["app_id"] == "app-uuid-1"
    assert request.headers["authorization"] == "Key onesignal-secret-key"
    assert request.url.host == "api.onesignal.com"


def test_success_true_is_cancelled() -> None:
    r = result(response(200, {"success": True}))
    assert r.outcome is Outcome.CANCELLED
    assert r.cancelled


@pytest.mark.parametrize(
    "body", [{"success": "false"}, {"success": "true"}, {"success": 1}, {}, {"success": False}, []]
)
def test_200_without_a_literal_true_is_unexpected(body: object) -> None:
    with pytest.raises(unsend.UnexpectedResponse, match="success"):
        result(response(200, body))


def test_400_is_not_cancellable_with_the_errors_as_detail() -> None:
    r = result(response(400, {"errors": ["Notification has already been sent", "to all"]}))
    assert r.outcome is Outcome.NOT_CANCELLABLE
    assert r.detail == "Notification has already been sent; to all"
    assert not r.cancelled


@pytest.mark.parametrize("body", [{"errors": "x"}, {"errors": [1]}, {}, {"errors": []}])
def test_400_without_an_errors_list_is_unexpected(body: object) -> None:
    with pytest.raises(unsend.UnexpectedResponse):
        result(response(400, body))


@pytest.mark.parametrize(
    ("resp", "detail"),
    [
        (response(404, {"errors": ["Notification not found"]}), "Notification not found"),
        (response(404, content=b"\xff\xfe not json"), None),
        (response(404), None),
    ],
)
def test_404_is_not_found_whatever_the_body(resp: httpx.Response, detail: str | None) -> None:
    r = result(resp)
    assert r.outcome is Outcome.NOT_FOUND
    assert r.detail == detail


def test_429_is_rate_limited_and_503_unavailable_even_with_a_non_utf8_body() -> None:
    with pytest.raises(unsend.RateLimited):
        result(response(429, {"errors": ["API rate limit exceeded"]}, headers={"Retry-After": "1"}))
    with pytest.raises(unsend.ProviderUnavailable):
        result(response(503, content=b"\xff\xfe\xfd"))


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures(status: int) -> None:
    with pytest.raises(unsend.AuthenticationError):
        result(response(status, {"errors": ["Access denied"]}))


def test_repr_and_errors_hide_the_key_and_app_id() -> None:
    assert "onesignal-secret-key" not in repr(ONESIGNAL)
    assert "app-uuid-1" not in repr(ONESIGNAL)
    with pytest.raises(unsend.UnexpectedResponse) as info:
        result(response(418, content=b"echo onesignal-secret-key app-uuid-1"))
    assert "onesignal-secret-key" not in str(info.value)
    assert "app-uuid-1" not in str(info.value)
