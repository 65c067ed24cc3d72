"""Results that travel: to_dict is JSON-safe, from_dict gives back an equal value."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import unsend
from unsend import CancelResult, Outcome
from unsend._registry import provider_names

TEXT = st.text(max_size=30)
MS = st.integers(min_value=0, max_value=4_102_444_800_000)  # up to 2100, in milliseconds


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


RECORDS = st.builds(
    unsend.MessageRecord,
    id=TEXT,
    status=st.sampled_from([*unsend.CourierStatus, unsend.CourierStatus.parse("NEW_ONE")]),
    enqueued=MS.map(_moment),
    recipient=TEXT,
    event=TEXT,
    notification=TEXT,
    sent=st.none() | MS.map(_moment),
    delivered=st.none() | MS.map(_moment),
    error=st.none() | TEXT,
    reason=st.none() | st.sampled_from(list(unsend.CourierReason)),
)
ERRORS = st.one_of(
    st.none(),
    st.builds(unsend.TransportError, TEXT),
    st.builds(
        unsend.RateLimited,
        TEXT,
        retry_after=st.none() | st.floats(0, 1e6),
        status_code=st.just(429),
        attempts=st.integers(0, 9),
    ),
    st.builds(unsend.UnexpectedResponse, TEXT, body_excerpt=TEXT, status_code=st.just(418)),
    st.builds(
        unsend.BulkActionTimeout,
        TEXT,
        action_ids=st.lists(TEXT, max_size=2).map(tuple),
        processed=st.integers(0, 100),
        total=st.integers(0, 100),
    ),
)
RESULTS = st.builds(
    CancelResult,
    provider=st.sampled_from(provider_names()),
    message_id=TEXT,
    outcome=st.sampled_from(list(Outcome)),
    status_code=st.none() | st.integers(100, 599),
    detail=st.none() | TEXT,
    record=st.none() | RECORDS,
    attempts=st.integers(0, 10),
    elapsed=st.floats(0, 1e6, allow_nan=False),
    error=ERRORS,
    name=st.sampled_from(["qstash", "push", "mail-2", "a.b_c"]),
    confirmation=st.none()
    | st.builds(
        unsend.MessageStatus,
        provider=st.sampled_from(["qstash", "courier"]),
        message_id=TEXT,
        state=st.sampled_from(list(unsend.MessageState)),
        provider_state=st.none() | TEXT,
        status_code=st.none() | st.integers(100, 599),
        detail=st.none() | TEXT,
        attempts=st.integers(0, 10),
        elapsed=st.floats(0, 1e6, allow_nan=False),
        name=st.sampled_from(["qstash", "push"]),
    ),
)


@given(RESULTS)
def test_a_result_round_trips_through_json_equal(result: CancelResult) -> None:
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    back = CancelResult.from_dict(data)
    assert back == result
    assert back.to_dict() == data
    if result.error is not None:
        assert type(back.error) is type(result.error)
        assert back.error is not None
        assert back.error.message == result.error.message


@given(
    st.builds(
        unsend.BulkResult,
        provider=st.just("qstash"),
        cancelled=st.integers(0, 10**6),
        requests=st.integers(0, 100),
        action_ids=st.lists(TEXT, max_size=3).map(tuple),
        elapsed=st.floats(0, 1e6),
        finished=st.booleans(),
    )
)
def test_a_bulk_result_round_trips(result: unsend.BulkResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    assert unsend.BulkResult.from_dict(data) == result


def test_the_shape_is_plain_and_names_the_outcome() -> None:
    error = unsend.RateLimited("slow", provider="onesignal", status_code=429, retry_after=2)
    result = CancelResult("onesignal", "n-1", Outcome.FAILED, 429, "slow", attempts=4, error=error)
    assert result.to_dict() == {
        "provider": "onesignal",
        "message_id": "n-1",
        "name": "onesignal",
        "ref": "onesignal:n-1",
        "outcome": "FAILED",
        "cancelled": False,
        "status_code": 429,
        "detail": "slow",
        "attempts": 4,
        "elapsed": 0.0,
        "record": None,
        "error": {
            "type": "RateLimited",
            "message": "slow",
            "status_code": 429,
            "attempts": 0,
            "retry_after": 2,
        },
        "confirmation": None,
    }


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {},
        {"provider": "q", "message_id": "m", "outcome": "GONE", "attempts": 1, "elapsed": 0},
        {"provider": "q", "message_id": "m", "outcome": "CANCELLED", "attempts": "1", "elapsed": 0},
        {"provider": "q", "message_id": "m", "outcome": "CANCELLED", "attempts": True},
        {"provider": "q", "message_id": 5, "outcome": "CANCELLED", "attempts": 1, "elapsed": 0},
        {
            "provider": "q",
            "message_id": "m",
            "outcome": "CANCELLED",
            "attempts": 1,
            "elapsed": float("inf"),
        },
        {
            "provider": "q",
            "message_id": "m",
            "outcome": "CANCELLED",
            "attempts": 1,
            "elapsed": 0,
            "record": {"id": 1},
        },
    ],
)
def test_anything_else_is_refused_not_coerced(bad: object) -> None:
    with pytest.raises(ValueError):
        CancelResult.from_dict(bad)


def test_an_unknown_error_type_keeps_its_text() -> None:
    data = CancelResult("q", "m", Outcome.FAILED, error=unsend.TransportError("x")).to_dict()
    data["error"]["type"] = "SomethingNew"
    back = CancelResult.from_dict(data)
    assert type(back.error) is unsend.UnsendError
    assert back.error is not None
    assert back.error.message == "x"


def test_a_ref_that_names_another_message_is_refused() -> None:
    data = CancelResult("qstash", "m-1", Outcome.CANCELLED, name="hooks").to_dict()
    assert data["ref"] == "hooks:m-1"
    assert CancelResult.from_dict(data).ref == unsend.MessageRef("hooks", "m-1")
    with pytest.raises(ValueError, match="ref"):
        CancelResult.from_dict({**data, "ref": "hooks:m-2"})


@given(
    st.builds(
        unsend.ScheduleResult,
        provider=st.just("qstash"),
        schedule_id=TEXT,
        outcome=st.sampled_from([Outcome.CANCELLED, Outcome.NOT_FOUND]),
        pending=st.none()
        | st.builds(
            unsend.BulkResult,
            provider=st.just("qstash"),
            cancelled=st.integers(0, 10**6),
            requests=st.integers(0, 100),
            action_ids=st.lists(TEXT, max_size=3).map(tuple),
            elapsed=st.floats(0, 1e6),
            finished=st.booleans(),
        ),
        status_code=st.none() | st.integers(100, 599),
        detail=st.none() | TEXT,
        elapsed=st.floats(0, 1e6),
    )
)
def test_a_schedule_result_round_trips(result: unsend.ScheduleResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    assert unsend.ScheduleResult.from_dict(data) == result


def test_fields_a_shorter_form_leaves_out_take_their_defaults() -> None:
    """A bulk result written without ``finished`` (before it existed) finished; an unexpected
    answer written without its excerpt has an empty one."""
    bulk = unsend.BulkResult("qstash", 3, 1, ("a-1",), 0.5, finished=False).to_dict()
    assert unsend.BulkResult.from_dict(bulk).finished is False
    del bulk["finished"]
    assert unsend.BulkResult.from_dict(bulk).finished is True
    error = unsend.UnexpectedResponse("odd", body_excerpt="<html>")
    data = CancelResult("q", "m", Outcome.FAILED, error=error).to_dict()
    assert CancelResult.from_dict(data).error.body_excerpt == "<html>"  # type: ignore[union-attr]
    del data["error"]["body_excerpt"]
    assert CancelResult.from_dict(data).error.body_excerpt == ""  # type: ignore[union-attr]


@pytest.mark.parametrize("bad", [[], "x", None, 3])
def test_a_schedule_result_that_is_not_an_object_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="expected a JSON object"):
        unsend.ScheduleResult.from_dict(bad)
