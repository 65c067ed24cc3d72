"""The QStash adapter's bulk-action and schedule answers, read strictly (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import unsend
from tests.helpers import response

Q = unsend.QStash("tok_secret_value")
GOOD: dict[str, Any] = {
    "actionId": "bulk_1",
    "kind": "cancel",
    "state": "FINISHED",
    "total": 3,
    "processed": 3,
    "createdAt": 1_767_225_600_000,
    "completedAt": 1_767_225_601_500,
    "filter": {"label": ["a", "b"], "fromDate": [1_767_225_000_000]},
}


def test_a_bulk_action_is_read_field_by_field() -> None:
    action = Q.bulk_action_result("bulk_1", response(200, GOOD))
    assert action == unsend.BulkAction(
        "bulk_1",
        unsend.BulkActionState.FINISHED,
        3,
        3,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 1, 500_000, tzinfo=UTC),
        filter={"label": ("a", "b"), "fromDate": ("1767225000000",)},
    )
    assert action.finished


@pytest.mark.parametrize(
    "change",
    [
        {"total": "3"},
        {"processed": -1},
        {"processed": True},
        {"total": 1 << 60},
        {"createdAt": None},
        {"createdAt": 10**20},
        {"completedAt": "soon"},
        {"state": ""},
        {"state": 3},
        {"actionId": "bulk_2"},  # an answer about another action
        {"filter": ["label"]},
        {"filter": {"label": [None]}},
    ],
)
def test_a_bulk_action_of_another_shape_is_unexpected(change: dict[str, Any]) -> None:
    with pytest.raises(unsend.UnexpectedResponse):
        Q.bulk_action_result("bulk_1", response(200, {**GOOD, **change}))


def test_a_page_and_its_cursor() -> None:
    actions, cursor = Q.bulk_actions_result(response(200, {"bulkActions": [GOOD], "cursor": "7"}))
    assert [a.action_id for a in actions] == ["bulk_1"]
    assert cursor == "7"
    assert Q.bulk_actions_result(response(200, {"bulkActions": []})) == ([], None)
    assert Q.bulk_actions_result(response(200, {"bulkActions": [], "cursor": ""})) == ([], None)
    with pytest.raises(unsend.UnexpectedResponse):
        Q.bulk_actions_result(response(200, {"bulkActions": {"a": 1}}))
    with pytest.raises(unsend.UnexpectedResponse):
        Q.bulk_actions_result(response(200, content=b"<html>"))


def test_the_new_errors_and_their_texts_never_hold_the_token() -> None:
    echo = {"error": "plan limit reached for tok_secret_value"}
    with pytest.raises(unsend.BulkActionRefused) as caught:
        Q.bulk_cancel_result(response(412, echo))
    assert "tok_secret_value" not in str(caught.value)
    assert "plan limit reached" in str(caught.value)
    with pytest.raises(unsend.BulkActionNotFound, match="bulk_9"):
        Q.bulk_action_result("bulk_9", response(404, {"error": "not found"}))
    with pytest.raises(unsend.AuthenticationError):
        Q.bulk_action_result("bulk_9", response(401, {"error": "unauthorized"}))


def test_requests_are_built_from_validated_ids() -> None:
    request = Q.bulk_action_request("bulk_1")
    assert (request.method, request.url.path) == ("GET", "/v2/bulkActions/bulk_1")
    assert request.headers["authorization"] == "Bearer tok_secret_value"
    request = Q.cancel_schedule_request("scd:1")
    assert (request.method, request.url.raw_path) == ("DELETE", b"/v2/schedules/scd%3A1")
    page = Q.bulk_actions_request("FINISHED", "20", 50)
    assert list(page.url.params.multi_items()) == [
        ("count", "50"),
        ("state", "FINISHED"),
        ("cursor", "20"),
    ]
    for bad in ("../x", "a/b", "", "scd 1"):
        with pytest.raises(unsend.InvalidMessageId):
            Q.bulk_action_request(bad)
        with pytest.raises(unsend.InvalidMessageId):
            Q.cancel_schedule_request(bad)
    with pytest.raises(ValueError, match="page size"):
        Q.bulk_actions_request(None, None, 1001)


@pytest.mark.parametrize(
    ("resp", "outcome"),
    [
        (response(200), unsend.Outcome.CANCELLED),
        (response(404, {"error": "schedule not found"}), unsend.Outcome.NOT_FOUND),
    ],
)
def test_schedule_answers(resp: Any, outcome: unsend.Outcome) -> None:
    assert Q.cancel_schedule_result("scd_1", resp).outcome is outcome


def test_a_schedule_404_in_another_region_is_a_config_error() -> None:
    with pytest.raises(unsend.ConfigError, match="region"):
        Q.cancel_schedule_result("scd_1", response(404, {"error": "user not found in this region"}))


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), True, "5"])
def test_wait_timeout_is_checked(bad: Any) -> None:
    with unsend.Canceller(Q) as canceller, pytest.raises(ValueError, match="wait_timeout"):
        canceller.cancel_matching(label="x", wait_timeout=bad)
