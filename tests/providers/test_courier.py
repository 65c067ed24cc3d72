from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

import unsend
from tests.helpers import courier_record, response
from unsend import CourierReason, CourierStatus, Outcome

COURIER = unsend.Courier("courier-secret-token")


def result(resp: httpx.Response) -> unsend.CancelResult:
    return COURIER.cancel_result("msg_1", resp)  # courier_record's id


def test_request_is_a_post_with_bearer_and_a_fresh_idempotency_key() -> None:
    first, second = COURIER.cancel_request("1-abc"), COURIER.cancel_request("1-abc")
    assert first.method == "POST"
    assert str(first.url) == "https://api.courier.com/messages/1-abc/cancel"
    assert first.headers["authorization"] == "Bearer courier-secret-token"
    assert first.headers["idempotency-key"]
    assert first.headers["idempotency-key"] != second.headers["idempotency-key"]


def test_200_is_cancelled_with_the_record() -> None:
    r = result(response(200, courier_record("CANCELED", sent=None)))
    assert r.outcome is Outcome.CANCELLED
    assert r.record is not None
    assert r.record.status is CourierStatus.CANCELED
    assert r.record.enqueued == datetime(2026, 1, 1, tzinfo=UTC)
    assert r.record.sent is None


def test_409_canceled_is_already_cancelled() -> None:
    r = result(response(409, courier_record("CANCELED")))
    assert r.outcome is Outcome.ALREADY_CANCELLED
    assert r.cancelled


def test_409_other_status_is_not_cancellable_with_status_and_reason() -> None:
    body = courier_record("UNDELIVERABLE", reason="BOUNCED", sent=1_767_225_601_000, error="bad")
    r = result(response(409, body))
    assert r.outcome is Outcome.NOT_CANCELLABLE
    assert not r.cancelled
    assert r.record is not None
    assert r.record.reason is CourierReason.BOUNCED
    assert r.record.sent == datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert r.detail == "status UNDELIVERABLE, reason BOUNCED: bad"


def test_unknown_status_and_reason_parse_instead_of_crashing() -> None:
    r = result(response(409, courier_record("TELEPORTED", reason="SOLAR_FLARE")))
    assert r.outcome is Outcome.NOT_CANCELLABLE
    assert r.record is not None
    assert r.record.status == "TELEPORTED"
    assert not r.record.status.is_known
    # A value seen twice is one object, as members are.
    assert CourierStatus("TELEPORTED") is r.record.status
    assert r.record.reason == "SOLAR_FLARE"
    assert CourierStatus.SENT.is_known


@pytest.mark.parametrize(
    "body",
    [
        courier_record(enqueued="1767225600000"),
        courier_record(enqueued=True),
        courier_record(status=5),
        courier_record(status=""),
        courier_record(id=None),
        {k: v for k, v in courier_record().items() if k != "recipient"},
        ["not", "an", "object"],
    ],
)
def test_wrong_record_shapes_are_unexpected_never_coerced(body: object) -> None:
    with pytest.raises(unsend.UnexpectedResponse, match="MessageDetails"):
        result(response(200, body))


@pytest.mark.parametrize("content", [b"", b"<html>502</html>", b'{"id": "1-abc", "sta'])
def test_unreadable_bodies_are_unexpected(content: bytes) -> None:
    with pytest.raises(unsend.UnexpectedResponse):
        result(response(409, content=content))


def test_404_is_not_found() -> None:
    assert result(response(404, {"message": "Not Found"})).outcome is Outcome.NOT_FOUND


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, unsend.AuthenticationError),
        (403, unsend.AuthenticationError),
        (429, unsend.RateLimited),
        (503, unsend.ProviderUnavailable),
        (400, unsend.UnexpectedResponse),
    ],
)
def test_non_outcome_statuses(status: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        result(response(status, {"message": "x"}))


def test_an_id_that_shares_characters_with_the_token_is_still_its_own_record() -> None:
    """Found by the fuzz test: the id "emulator" beside the token "emulator-courier-token" was
    compared after redaction blanked it, and read as another message's record."""
    courier = unsend.Courier("emulator-courier-token")
    body = courier_record("CANCELED", id="emulator")
    result = courier.cancel_result("emulator", response(200, body))
    assert result.outcome is Outcome.CANCELLED
