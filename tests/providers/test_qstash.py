from __future__ import annotations

import httpx
import pytest

import unsend
from tests.helpers import response
from unsend import Outcome

QSTASH = unsend.QStash("qstash-secret-token")


def result(resp: httpx.Response, message_id: str = "msg_1") -> unsend.CancelResult:
    return QSTASH.cancel_result(message_id, resp)


def test_request_is_a_delete_of_one_message_with_bearer_header() -> None:
    request = QSTASH.cancel_request("msg_1")
    assert request.method == "DELETE"
    assert str(request.url) == "https://qstash.upstash.io/v2/messages/msg_1"
    assert request.headers["authorization"] == "Bearer qstash-secret-token"
    assert "qstash_token" not in str(request.url)


@pytest.mark.parametrize(
    ("region", "base_url", "expected"),
    [
        (None, None, "https://qstash.upstash.io"),
        ("eu-central-1", None, "https://qstash-eu-central-1.upstash.io"),
        ("us-east-1", None, "https://qstash-us-east-1.upstash.io"),
        ("us-east-1", "http://127.0.0.1:8288/", "http://127.0.0.1:8288"),
    ],
)
def test_region_and_base_url_pick_the_host(
    region: str | None, base_url: str | None, expected: str
) -> None:
    provider = unsend.QStash("t", region=region, base_url=base_url)
    assert str(provider.cancel_request("m").url) == f"{expected}/v2/messages/m"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"token": ""}, "token is required"),
        ({"token": "t", "region": "mars-1"}, "unknown QStash region"),
        ({"token": "t", "base_url": "ftp://x"}, "http"),
        ({"token": "t", "base_url": "https://x/?a=1"}, "query"),
        ({"token": "t", "base_url": "not a url"}, "base_url"),
    ],
)
def test_bad_configuration_is_a_config_error(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(unsend.ConfigError, match=match):
        unsend.QStash(**kwargs)


def test_an_empty_200_is_cancelled() -> None:
    r = result(response(200))
    assert r.outcome is Outcome.CANCELLED
    assert r.cancelled
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("status", "body"), [(202, None), (200, {}), (200, {"cancelled": 1}), (204, None)]
)
def test_only_the_documented_empty_200_is_a_cancel(status: int, body: object) -> None:
    # QStash documents 200 with no body; anything else is not its answer to a cancel.
    with pytest.raises(unsend.UnexpectedResponse):
        result(response(status, body))


def test_404_is_not_found_with_the_error_text() -> None:
    r = result(response(404, {"error": "message not found"}))
    assert r.outcome is Outcome.NOT_FOUND
    assert not r.cancelled
    assert r.detail == "message not found"


def test_404_user_not_found_in_region_is_a_config_error() -> None:
    with pytest.raises(unsend.ConfigError, match="region") as info:
        result(response(404, {"error": "user not found in this region"}))
    assert info.value.status_code == 404


@pytest.mark.parametrize(
    "resp",
    [
        response(404, content=b"<html>Not Found</html>"),
        response(404, content=b""),
        response(404, {"error": 5}),
        response(404, ["error"]),
    ],
)
def test_404_without_a_readable_error_is_unexpected(resp: httpx.Response) -> None:
    with pytest.raises(unsend.UnexpectedResponse):
        result(resp)


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures(status: int) -> None:
    with pytest.raises(unsend.AuthenticationError) as info:
        result(response(status, {"error": "Unauthorized"}))
    assert info.value.status_code == status
    assert "qstash-secret-token" not in str(info.value)


def test_burst_429_is_rate_limited_and_daily_quota_is_its_own_error() -> None:
    burst = response(429, {"error": "too many requests"}, headers={"Burst-RateLimit-Limit": "100"})
    with pytest.raises(unsend.RateLimited) as info:
        result(burst)
    assert not isinstance(info.value, unsend.DailyLimitExceeded)
    daily = response(429, {"error": "daily limit"}, headers={"RateLimit-Limit": "500"})
    with pytest.raises(unsend.DailyLimitExceeded, match="500"):
        result(daily)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_provider_unavailable(status: int) -> None:
    with pytest.raises(unsend.ProviderUnavailable):
        result(response(status, content=b"<html>oops</html>"))


@pytest.mark.parametrize("status", [201, 204, 301, 400, 405, 409, 418])
def test_other_statuses_are_unexpected_with_an_excerpt(status: int) -> None:
    with pytest.raises(unsend.UnexpectedResponse) as info:
        result(response(status, content=b"weird qstash-secret-token body"))
    assert info.value.status_code == status
    assert "weird" in info.value.body_excerpt
    assert "qstash-secret-token" not in str(info.value)


def test_repr_hides_the_token() -> None:
    assert "qstash-secret-token" not in repr(QSTASH)
    assert "***" in repr(QSTASH)


def test_the_bulk_request_is_an_authorized_delete_of_the_collection() -> None:
    provider = unsend.QStash("qstash-token", region="us-east-1")
    request = provider.bulk_cancel_request([("label", "a"), ("label", "b")])
    assert request.method == "DELETE"
    assert str(request.url) == "https://qstash-us-east-1.upstash.io/v2/messages?label=a&label=b"
    assert request.headers["authorization"] == "Bearer qstash-token"


@pytest.mark.parametrize("status", [200, 202])
def test_a_bulk_count_is_read_and_must_be_a_whole_non_negative_number(status: int) -> None:
    provider = unsend.QStash("qstash-token")
    assert provider.bulk_cancel_result(httpx.Response(status, json={"cancelled": 0})).cancelled == 0
    assert provider.bulk_cancel_result(httpx.Response(status, json={"cancelled": 7})).cancelled == 7
    for bad in (-1, 1.5, True, "3", None):
        with pytest.raises(unsend.UnexpectedResponse, match='neither "cancelled" nor'):
            provider.bulk_cancel_result(httpx.Response(status, json={"cancelled": bad}))


def test_a_bulk_error_status_is_the_shared_error() -> None:
    provider = unsend.QStash("qstash-token")
    with pytest.raises(unsend.AuthenticationError):
        provider.bulk_cancel_result(httpx.Response(401, json={"error": "no"}))
    with pytest.raises(unsend.DailyLimitExceeded):
        provider.bulk_cancel_result(
            httpx.Response(429, headers={"RateLimit-Limit": "9"}, json={"error": "quota"})
        )
    with pytest.raises(unsend.UnexpectedResponse) as caught:
        provider.bulk_cancel_result(httpx.Response(200, content=b"<html>"))
    assert caught.value.provider == "qstash"
    assert caught.value.message_id is None
