"""Boundaries and documented values, pinned: each test kills a mutant that survived before.

The README documents these numbers and edges; a change to any of them must fail a test.
"""

from __future__ import annotations

import httpx
import pytest

import unsend
from tests.helpers import Script, courier_record, response, run_cancel
from unsend import Outcome, RetryPolicy
from unsend._engine.clock import FakeClock
from unsend._engine.gate import Gate
from unsend._engine.retry_after import retry_after_seconds
from unsend._ids import MAX_MESSAGE_ID_LENGTH, quote_message_id, validate_message_id
from unsend._result import CourierReason, CourierStatus
from unsend._secret import MIN_SECRET_LENGTH, redact
from unsend.providers._responses import EXCERPT_CHARS, body_excerpt, common_error

# -- the deadline boundary --------------------------------------------------------------------


def test_a_wait_ending_exactly_at_the_deadline_is_not_slept(mode: str, clock: FakeClock) -> None:
    script = Script([response(429, {"errors": ["slow"]}, headers={"Retry-After": "10"})])
    policy = RetryPolicy(deadline=10, jitter=0)
    with pytest.raises(unsend.RateLimited) as caught:
        run_cancel(mode, unsend.OneSignal("app", "key"), script, clock=clock, retry=policy)
    assert clock.sleeps == []
    assert caught.value.retry_after == 10
    assert caught.value.attempts == 1


def test_a_wait_ending_just_before_the_deadline_is_slept(mode: str, clock: FakeClock) -> None:
    script = Script(
        [
            response(429, {"errors": ["slow"]}, headers={"Retry-After": "9.5"}),
            response(200, {"success": True}),
        ]
    )
    policy = RetryPolicy(deadline=10, jitter=0)
    r = run_cancel(mode, unsend.OneSignal("app", "key"), script, clock=clock, retry=policy)
    assert clock.sleeps == [9.5]
    assert r.attempts == 2


def test_a_gate_pause_ending_exactly_at_the_deadline_fails_fast(clock: FakeClock) -> None:
    provider = unsend.OneSignal("app", "key")
    script = Script([])
    client = httpx.Client(transport=httpx.MockTransport(script))
    with unsend.Canceller(
        provider, client=client, clock=clock, retry=RetryPolicy(deadline=5)
    ) as canceller:
        canceller.gate.pause_until(clock.monotonic() + 5)
        with pytest.raises(unsend.RateLimited, match="past this cancel's deadline"):
            canceller.cancel("n-1")
        canceller.gate.pause_until(clock.monotonic() + 0)  # never shortens the pause
    assert script.requests == []
    assert clock.sleeps == []


# -- documented defaults ---------------------------------------------------------------------


def test_retry_policy_defaults_are_the_documented_ones() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.deadline) == (4, 30.0)
    assert (policy.initial, policy.max, policy.jitter) == (0.5, 8.0, 0.5)
    assert policy.retry_statuses == frozenset({429, 502, 503, 504})
    never = RetryPolicy.never()
    assert (never.max_attempts, never.deadline) == (1, 30.0)
    assert RetryPolicy.never(deadline=3).deadline == 3


def test_default_timeouts_are_the_documented_ones() -> None:
    from unsend._client import DEFAULT_TIMEOUT

    assert DEFAULT_TIMEOUT.connect == 5.0
    assert (DEFAULT_TIMEOUT.read, DEFAULT_TIMEOUT.write, DEFAULT_TIMEOUT.pool) == (10.0,) * 3


def test_outcome_values_and_result_defaults_are_pinned() -> None:
    assert {o.name: o.value for o in Outcome} == {
        "CANCELLED": "cancelled",
        "ALREADY_CANCELLED": "already_cancelled",
        "NOT_CANCELLABLE": "not_cancellable",
        "NOT_FOUND": "not_found",
        "REQUESTED": "requested",
        "FAILED": "failed",
    }
    result = unsend.CancelResult("qstash", "msg_1", Outcome.CANCELLED)
    assert (result.attempts, result.elapsed, result.error) == (1, 0.0, None)
    assert (result.status_code, result.detail, result.record) == (None, None, None)
    failed = unsend.CancelResult(
        "qstash", "msg_1", Outcome.FAILED, error=unsend.TransportError("x")
    )
    assert failed == unsend.CancelResult(
        "qstash", "msg_1", Outcome.FAILED, error=unsend.TransportError("y")
    )  # the error is not part of equality


def test_courier_enum_values_are_the_wire_strings() -> None:
    statuses = "CANCELED CLICKED DELAYED DELIVERED DIGESTED ENQUEUED FILTERED OPENED ROUTED SENT"
    statuses += " SIMULATED THROTTLED UNDELIVERABLE UNMAPPED UNROUTABLE"
    reasons = "BOUNCED FAILED FILTERED NO_CHANNELS NO_PROVIDERS OPT_IN_REQUIRED PROVIDER_ERROR"
    reasons += " UNPUBLISHED UNSUBSCRIBED"
    assert sorted(m.value for m in CourierStatus) == sorted(statuses.split())
    assert sorted(m.value for m in CourierReason) == sorted(reasons.split())
    for member in [*CourierStatus, *CourierReason]:
        assert member.value == member.name
        assert type(member).parse(member.value) is member


# -- the 5xx edge ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (499, unsend.UnexpectedResponse),
        (500, unsend.ProviderUnavailable),
        (599, unsend.ProviderUnavailable),
        (600, unsend.UnexpectedResponse),
        (429, unsend.RateLimited),
        (401, unsend.AuthenticationError),
        (403, unsend.AuthenticationError),
        (402, unsend.UnexpectedResponse),
    ],
)
def test_status_classes_at_their_edges(status: int, error: type[Exception]) -> None:
    produced = common_error("qstash", "msg_1", httpx.Response(status, content=b"x"))
    assert type(produced) is error
    assert produced.status_code == status


def test_qstash_daily_quota_is_pinned_to_429() -> None:
    provider = unsend.QStash("qstash-token")
    answer = httpx.Response(429, headers={"RateLimit-Limit": "500"}, json={"error": "quota"})
    with pytest.raises(unsend.DailyLimitExceeded) as caught:
        provider.cancel_result("msg_1", answer)
    assert caught.value.status_code == 429
    assert "500" in str(caught.value)


@pytest.mark.parametrize("action", ["", 0, 17, None, True, ["a"], {"id": "a"}])
def test_a_bulk_answer_needs_a_non_empty_string_action_id(action: object) -> None:
    provider = unsend.QStash("qstash-token")
    with pytest.raises(unsend.UnexpectedResponse):
        provider.bulk_cancel_result(httpx.Response(200, json={"actionId": action}))


def test_a_bulk_answer_with_an_action_id_is_tracked() -> None:
    answer = unsend.QStash("qstash-token").bulk_cancel_result(
        httpx.Response(202, json={"actionId": "act_1"})
    )
    assert (answer.cancelled, answer.action_id) == (None, "act_1")


# -- redaction -------------------------------------------------------------------------------


def test_a_secret_of_exactly_the_minimum_length_is_blanked() -> None:
    assert MIN_SECRET_LENGTH == 8
    exact = "k" * MIN_SECRET_LENGTH
    assert redact(f"token {exact}!", [exact]) == "token ***!"
    shorter = "k" * (MIN_SECRET_LENGTH - 1)
    assert redact(f"token {shorter}!", [shorter]) == f"token {shorter}!"


def test_a_secret_of_exactly_the_minimum_length_is_blanked_escaped() -> None:
    exact = "ab/cdefg"
    assert redact('"ab\\/cdefg"', [exact]) == '"***"'
    assert redact("ab%2Fcdefg", [exact]) == "***"


def test_excerpts_are_printable_bounded_and_marked_when_cut() -> None:
    assert EXCERPT_CHARS == 200
    escape = body_excerpt(b"\x1b[31mred\x07\x00 text\r\n")
    assert "\x1b" not in escape
    assert "\x07" not in escape
    assert "\x00" not in escape
    assert "red" in escape
    assert "text" in escape
    assert body_excerpt(b"y" * 200) == "y" * 200
    assert body_excerpt(b"y" * 201) == "y" * 200 + "…"
    assert body_excerpt(b"  padded  ") == "padded"


# -- Retry-After -----------------------------------------------------------------------------


NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def test_an_http_date_without_a_zone_is_not_read_as_local_time() -> None:
    zoneless = "Thu, 01 Jan 2026 00:00:30 -0000"  # RFC 2822's "no zone information"
    assert retry_after_seconds({"retry-after": zoneless}, NOW) is None
    assert retry_after_seconds({"retry-after": "Thu, 01 Jan 2026 00:00:30 GMT"}, NOW) == 30


def test_the_delay_versus_unix_time_boundary() -> None:
    floor = 1_000_000_000
    before = retry_after_seconds({"burst-ratelimit-reset": str(floor - 1)}, NOW)
    assert before == floor - 1  # a (huge) delay in seconds
    at = retry_after_seconds({"burst-ratelimit-reset": str(floor)}, NOW)
    assert at == 0.0  # a unix time, long past
    ahead = retry_after_seconds({"burst-ratelimit-reset": str(int(NOW) + 7)}, NOW)
    assert ahead == 7


# -- ids that must pass ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message_id",
    [
        "!" * MAX_MESSAGE_ID_LENGTH,  # outside the quick pattern, exactly at the limit
        "é" * MAX_MESSAGE_ID_LENGTH,
        "a" * MAX_MESSAGE_ID_LENGTH,
        "msg_(1)",
        "a$b&c'd*e,f;g=h[i]j{k}l|m^n<o>p\"q`r!s",
        "ünïcødé-中文-😀",
        "...a",
        "a..",
    ],
)
def test_valid_edge_ids_pass_and_are_one_path_segment(message_id: str) -> None:
    assert validate_message_id(message_id) == message_id
    assert "/" not in quote_message_id(message_id)


def test_ids_one_past_the_limit_are_refused() -> None:
    for long_id in ("a" * (MAX_MESSAGE_ID_LENGTH + 1), "!" * (MAX_MESSAGE_ID_LENGTH + 1)):
        with pytest.raises(unsend.InvalidMessageId, match="longer than 512"):
            validate_message_id(long_id)


def test_a_valid_edge_id_is_sent_and_cancelled(mode: str, clock: FakeClock) -> None:
    message_id = "a$b&c'd*e,f;g=h[i]j!" + "é" * 400
    script = Script([response(200, courier_record("CANCELED", id=message_id))])
    r = run_cancel(mode, unsend.Courier("courier-token"), script, message_id, clock=clock)
    assert r.outcome is Outcome.CANCELLED
    assert script.requests[0].url.raw_path.count(b"/") == 3  # /messages/{id}/cancel


# -- the gate --------------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "interval"), [(0.5, 2.0), (1, 1.0), (4, 0.25)])
def test_rates_below_one_per_second_are_valid(rate: float, interval: float) -> None:
    gate = Gate(rate)
    assert gate.reserve(100.0) == 0
    assert gate.reserve(100.0) == interval


def test_header_names_are_looked_up_in_lower_case() -> None:
    """Callers pass httpx.Headers (case-insensitive); a plain mapping must use lower case."""
    assert retry_after_seconds({"retry-after-ms": "250"}, NOW) == 0.25
    assert retry_after_seconds({"retry-after": "3"}, NOW) == 3
    assert retry_after_seconds({"ratelimit-reset": "4"}, NOW) == 4
    assert retry_after_seconds({"burst-ratelimit-reset": "5"}, NOW) == 5
    assert retry_after_seconds({"retry-after": "1e1"}, NOW) == 10  # a number, not a date
