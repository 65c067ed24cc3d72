"""Bulk plans and filters as plain values: no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

import unsend
from tests.helpers import response
from unsend._result import BulkAnswer
from unsend.qstash._plans import IdsPlan, MatchingPlan, build_filters

Q = unsend.QStash("tok")


def params_of(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


def test_filters_become_query_parameters_with_repeated_keys() -> None:
    params = build_filters(
        {"label": ["red", "blue"], "topic_name": "t1", "caller_ip": "1.1.1.1", "url": None},
        from_date=datetime(2026, 1, 1, tzinfo=UTC),
        to_date=1_767_225_700_000,
    )
    assert params == [
        ("label", "red"),
        ("label", "blue"),
        ("topicName", "t1"),
        ("callerIp", "1.1.1.1"),
        ("fromDate", "1767225600000"),
        ("toDate", "1767225700000"),
    ]


def test_aware_datetimes_in_any_zone_are_converted_to_utc_milliseconds() -> None:
    plus_two = datetime(2026, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert build_filters({}, plus_two, None) == [("fromDate", "1767225600000")]


@pytest.mark.parametrize(
    ("filters", "dates", "error", "match"),
    [
        ({"colour": "red"}, (None, None), TypeError, "unknown filter"),
        ({"label": []}, (None, None), ValueError, "no values"),
        ({"label": ""}, (None, None), ValueError, "non-empty"),
        ({"label": ["a", 5]}, (None, None), ValueError, "non-empty strings"),
        ({"url": "https://x/a,b"}, (None, None), ValueError, "comma"),
        ({}, (datetime(2026, 1, 1), None), ValueError, "timezone-aware"),
        ({}, (None, -5), ValueError, "unix milliseconds"),
        ({}, (None, True), ValueError, "unix milliseconds"),
    ],
)
def test_bad_filters_are_refused(filters: dict, dates: tuple, error: type, match: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=match):
        build_filters(filters, *dates)


def test_no_filter_is_refused_unless_everything() -> None:
    with pytest.raises(unsend.UnsafeBulkCancel, match="everything=True"):
        MatchingPlan(Q, [], batch=500, everything=False)
    plan = MatchingPlan(Q, [], batch=None, everything=True)
    request = plan.next_request()
    assert request is not None
    # async=true asks today's QStash for a tracked action; it is a mode, not a filter.
    assert params_of(request) == [("async", "true")]


def test_batches_repeat_until_one_cancels_nothing() -> None:
    plan = MatchingPlan(Q, [("label", "x")], batch=500, everything=False)
    requests = []
    for count in (500, 500, 3, 0):
        request = plan.next_request()
        assert request is not None
        requests.append(params_of(request))
        plan.record(BulkAnswer(cancelled=count))
    assert plan.next_request() is None
    assert requests[0] == [("label", "x"), ("async", "true"), ("count", "500")]
    result = plan.result(1.5)
    assert (result.cancelled, result.requests, result.elapsed) == (1003, 4, 1.5)


def test_without_batch_one_request_is_enough() -> None:
    plan = MatchingPlan(Q, [("label", "x")], batch=None, everything=False)
    request = plan.next_request()
    assert request is not None
    assert params_of(request) == [("label", "x"), ("async", "true")]  # count is deprecated
    plan.record(BulkAnswer(cancelled=7))
    assert plan.next_request() is None


@pytest.mark.parametrize("batch", [0, 501, -1, True, 2.5])
def test_batch_bounds(batch: object) -> None:
    with pytest.raises(ValueError, match="batch"):
        MatchingPlan(Q, [("label", "x")], batch=batch, everything=False)  # type: ignore[arg-type]


def test_a_tracked_action_ends_the_plan_and_is_reported() -> None:
    plan = MatchingPlan(Q, [("label", "x")], batch=100, everything=False)
    plan.record(BulkAnswer(cancelled=None, action_id="act_1"))
    assert plan.next_request() is None
    assert plan.result(0).action_ids == ("act_1",)


def test_ids_are_sent_in_chunks_and_read_lazily() -> None:
    taken = []

    def ids() -> object:
        for i in range(7):
            taken.append(i)
            yield f"msg_{i}"

    plan = IdsPlan(Q, ids(), chunk=3)  # type: ignore[arg-type]
    assert len(taken) == 3
    sent = []
    while (request := plan.next_request()) is not None:
        sent.append([v for k, v in params_of(request) if k == "messageIds"])
        plan.record(BulkAnswer(cancelled=len(sent[-1])))
    assert sent == [["msg_0", "msg_1", "msg_2"], ["msg_3", "msg_4", "msg_5"], ["msg_6"]]
    assert plan.result(0).cancelled == 7


def test_an_empty_id_list_is_refused() -> None:
    with pytest.raises(unsend.UnsafeBulkCancel):
        IdsPlan(Q, [], chunk=100)


@pytest.mark.parametrize("bad", ["", "a/b", "a,b"])
def test_ids_are_validated(bad: str) -> None:
    with pytest.raises(ValueError):
        IdsPlan(Q, ["ok", bad], chunk=100)


@pytest.mark.parametrize(
    ("resp", "answer"),
    [
        (response(200, {"cancelled": 12}), BulkAnswer(12)),
        (response(200, {"cancelled": 0}), BulkAnswer(0)),
        (response(202, {"actionId": "act_9"}), BulkAnswer(None, "act_9")),
        (response(200, {"actionId": "act_9", "cancelled": 3}), BulkAnswer(3)),
    ],
)
def test_bulk_answers(resp: httpx.Response, answer: BulkAnswer) -> None:
    assert Q.bulk_cancel_result(resp) == answer


@pytest.mark.parametrize(
    ("resp", "error"),
    [
        (response(200, {"cancelled": "12"}), unsend.UnexpectedResponse),
        (response(200, {"cancelled": -1}), unsend.UnexpectedResponse),
        (response(200, {"cancelled": True}), unsend.UnexpectedResponse),
        (response(200, content=b"<html>"), unsend.UnexpectedResponse),
        (response(400, {"error": "count must be between 1 and 500"}), unsend.UnexpectedResponse),
        (response(401, {"error": "nope"}), unsend.AuthenticationError),
        (
            response(429, {"error": "x"}, headers={"RateLimit-Limit": "1"}),
            unsend.DailyLimitExceeded,
        ),
    ],
)
def test_bad_bulk_answers(resp: httpx.Response, error: type[Exception]) -> None:
    with pytest.raises(error):
        Q.bulk_cancel_result(resp)
