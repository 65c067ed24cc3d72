"""Retry sequences through both clients, on an injected clock: no test waits for real."""

from __future__ import annotations

import logging

import httpx
import pytest

import unsend
from tests.helpers import Script, courier_record, response, run_cancel
from unsend import Outcome, RetryPolicy
from unsend._engine.clock import FakeClock

NO_JITTER = RetryPolicy(jitter=0)
PROVIDERS = {
    "qstash": (unsend.QStash("tok"), response(200)),
    "onesignal": (unsend.OneSignal("app", "key"), response(200, {"success": True})),
    "courier": (unsend.Courier("tok"), response(200, courier_record("CANCELED"))),
}


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_429_429_200_waits_as_asked_and_counts_attempts(
    mode: str, name: str, clock: FakeClock
) -> None:
    provider, ok = PROVIDERS[name]
    script = Script(
        [
            response(429, {"error": "slow down"}, headers={"Retry-After": "2"}),
            response(429, {"error": "slow down"}, headers={"retry-after-ms": "1500"}),
            ok,
        ]
    )
    r = run_cancel(mode, provider, script, clock=clock, retry=NO_JITTER)
    assert r.outcome is Outcome.CANCELLED
    assert r.attempts == 3
    assert clock.sleeps == [2.0, 1.5]
    assert r.elapsed == pytest.approx(3.5)
    assert len(script.requests) == 3


def test_503_with_html_then_200_backs_off(mode: str, clock: FakeClock) -> None:
    script = Script([response(503, content=b"<html>Bad gateway</html>"), response(200)])
    policy = RetryPolicy(initial=0.5, max=8, jitter=0)
    r = run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=policy)
    assert r.outcome is Outcome.CANCELLED
    assert r.attempts == 2
    assert clock.sleeps == [0.5]


def test_backoff_grows_exponentially_up_to_max(mode: str, clock: FakeClock) -> None:
    script = Script([response(502)] * 5 + [response(200, {"success": True})])
    policy = RetryPolicy(max_attempts=6, initial=1, max=4, jitter=0, deadline=100)
    r = run_cancel(mode, unsend.OneSignal("a", "k"), script, clock=clock, retry=policy)
    assert r.attempts == 6
    assert clock.sleeps == [1, 2, 4, 4, 4]


def test_jitter_stays_within_its_bound(mode: str, clock: FakeClock) -> None:
    script = Script([response(504), response(504), response(200)])
    policy = RetryPolicy(initial=1, max=8, jitter=0.25)
    run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=policy)
    assert 1 <= clock.sleeps[0] <= 1.25
    assert 2 <= clock.sleeps[1] <= 2.25


def test_503_with_a_non_utf8_body_is_retried(mode: str, clock: FakeClock) -> None:
    script = Script(
        [response(503, content=b"\xff\xfe\x00garbage"), response(200, {"success": True})]
    )
    r = run_cancel(mode, unsend.OneSignal("a", "k"), script, clock=clock, retry=NO_JITTER)
    assert r.cancelled
    assert r.attempts == 2


def test_qstash_daily_limit_is_one_request_and_never_retried(mode: str, clock: FakeClock) -> None:
    daily = response(
        429,
        {"error": "daily request limit exceeded"},
        headers={"RateLimit-Limit": "500", "RateLimit-Remaining": "0", "RateLimit-Reset": "1"},
    )
    script = Script([daily])
    with pytest.raises(unsend.DailyLimitExceeded) as info:
        run_cancel(mode, unsend.QStash("tok"), script, clock=clock)
    assert len(script.requests) == 1
    assert info.value.attempts == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", ["CANCELED", "SENT"])
def test_courier_409_is_one_request(mode: str, clock: FakeClock, status: str) -> None:
    script = Script([response(409, courier_record(status))])
    r = run_cancel(mode, unsend.Courier("tok"), script, clock=clock)
    assert len(script.requests) == 1
    assert r.attempts == 1
    assert r.outcome in (Outcome.ALREADY_CANCELLED, Outcome.NOT_CANCELLABLE)


def test_courier_sends_one_idempotency_key_on_every_retry(mode: str, clock: FakeClock) -> None:
    script = Script([response(503), response(429), response(200, courier_record())])
    run_cancel(mode, unsend.Courier("tok"), script, clock=clock, retry=NO_JITTER)
    keys = {r.headers["idempotency-key"] for r in script.requests}
    assert len(script.requests) == 3
    assert len(keys) == 1


def test_retry_after_beyond_the_deadline_fails_at_once(mode: str, clock: FakeClock) -> None:
    script = Script([response(429, {"errors": ["limit"]}, headers={"Retry-After": "3600"})])
    with pytest.raises(unsend.RateLimited) as info:
        run_cancel(mode, unsend.OneSignal("a", "k"), script, clock=clock, retry=RetryPolicy())
    assert info.value.retry_after == 3600
    assert info.value.attempts == 1
    assert info.value.status_code == 429
    assert clock.sleeps == []
    assert len(script.requests) == 1


def test_waits_that_fit_are_slept_until_the_deadline_is_near(mode: str, clock: FakeClock) -> None:
    limited = response(429, {"error": "x"}, headers={"Retry-After": "4"})
    script = Script([limited, limited, limited])
    policy = RetryPolicy(deadline=10, max_attempts=10)
    with pytest.raises(unsend.RateLimited) as info:
        run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=policy)
    # 4 + 4 = 8 s fit in 10 s; a third wait would end at 12 s, past the deadline.
    assert clock.sleeps == [4, 4]
    assert info.value.attempts == 3


def test_retries_spent_raise_the_typed_error_with_attempts(mode: str, clock: FakeClock) -> None:
    script = Script([response(503, content=b"down")] * 3)
    with pytest.raises(unsend.ProviderUnavailable) as info:
        run_cancel(
            mode, unsend.QStash("tok"), script, clock=clock, retry=RetryPolicy(max_attempts=3)
        )
    assert info.value.attempts == 3
    assert info.value.status_code == 503
    assert len(clock.sleeps) == 2


def test_connection_reset_then_200(mode: str, clock: FakeClock) -> None:
    script = Script([httpx.ReadError("connection reset by peer"), response(200)])
    r = run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=NO_JITTER)
    assert r.cancelled
    assert r.attempts == 2


def test_network_errors_spent_raise_transport_error(mode: str, clock: FakeClock) -> None:
    script = Script([httpx.ConnectError("refused")] * 2)
    with pytest.raises(unsend.TransportError, match="ConnectError") as info:
        run_cancel(
            mode, unsend.QStash("tok"), script, clock=clock, retry=RetryPolicy(max_attempts=2)
        )
    assert info.value.attempts == 2


@pytest.mark.parametrize(
    ("steps", "error"),
    [
        ([response(401)], unsend.AuthenticationError),
        ([response(500)], unsend.ProviderUnavailable),
        ([response(400, content=b"?")], unsend.UnexpectedResponse),
        ([response(418)], unsend.UnexpectedResponse),
    ],
)
def test_statuses_that_are_never_retried(
    mode: str, clock: FakeClock, steps: list[httpx.Response], error: type[Exception]
) -> None:
    script = Script(steps)
    with pytest.raises(error):
        run_cancel(mode, unsend.QStash("tok"), script, clock=clock)
    assert len(script.requests) == 1


def test_a_not_found_after_a_lost_response_says_it_may_be_ours(mode: str, clock: FakeClock) -> None:
    script = Script([httpx.ReadTimeout("timed out"), response(404, {"error": "message not found"})])
    r = run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=NO_JITTER)
    assert r.outcome is Outcome.NOT_FOUND
    assert r.detail is not None
    assert r.detail.startswith("message not found; ")
    assert "may have cancelled it" in r.detail


def test_a_not_cancellable_after_a_lost_response_says_it_may_be_ours(
    mode: str, clock: FakeClock
) -> None:
    """Twilio refuses to cancel what is already cancelled (30409): after a timed-out attempt
    that refusal may answer this cancel's own first attempt."""
    refusal = {"code": 30409, "message": "Message is no longer scheduled and cannot be canceled"}
    script = Script([httpx.ReadTimeout("timed out"), response(400, refusal)])
    twilio = unsend.Twilio("AC" + "0" * 32, "token-1234")
    r = run_cancel(mode, twilio, script, "SM" + "1" * 32, clock=clock, retry=NO_JITTER)
    assert r.outcome is Outcome.NOT_CANCELLABLE
    assert r.detail is not None
    assert r.detail.endswith(
        "; an earlier attempt's response was lost: that attempt may have cancelled it"
    )
    alone = run_cancel(mode, twilio, Script([response(400, refusal)]), "SM" + "1" * 32, clock=clock)
    assert alone.detail == refusal["message"]


def test_a_connect_failure_cannot_have_cancelled_anything(mode: str, clock: FakeClock) -> None:
    script = Script([httpx.ConnectError("refused"), response(404, {"error": "message not found"})])
    r = run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=NO_JITTER)
    assert r.detail == "message not found"


def test_a_shared_pause_past_the_deadline_fails_without_a_request(
    mode: str, clock: FakeClock
) -> None:
    script = Script([])
    provider = unsend.QStash("tok")
    transport = httpx.MockTransport(script)
    if mode == "sync":
        canceller = unsend.Canceller(
            provider,
            client=httpx.Client(transport=transport),
            clock=clock,
            retry=RetryPolicy(deadline=10),
        )
        canceller.gate.pause_until(clock.monotonic() + 60)  # another worker's 429 said so
        with pytest.raises(unsend.RateLimited) as info:
            canceller.cancel("msg_1")
    else:
        import anyio

        async def main() -> None:
            canceller = unsend.AsyncCanceller(
                provider,
                client=httpx.AsyncClient(transport=transport),
                clock=clock,
                retry=RetryPolicy(deadline=10),
            )
            canceller.gate.pause_until(clock.monotonic() + 60)
            await canceller.cancel("msg_1")

        with pytest.raises(unsend.RateLimited) as info:
            anyio.run(main)
    assert info.value.retry_after == 60
    assert script.requests == []
    assert clock.sleeps == []


def test_a_gate_failure_after_a_429_is_not_retried(clock: FakeClock) -> None:
    events: list[unsend.RetryEvent] = []
    canceller: unsend.Canceller

    def handler(request: httpx.Request) -> httpx.Response:
        canceller.gate.pause_until(clock.monotonic() + 60)  # another worker's 429, meanwhile
        return httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "slow"})

    canceller = unsend.Canceller(
        unsend.QStash("tok"),
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=clock,
        retry=RetryPolicy(deadline=10, max_attempts=6),
        on_retry=events.append,
    )
    with pytest.raises(unsend.RateLimited, match="past this cancel's deadline") as info:
        canceller.cancel("msg_1")
    assert len(events) == 1  # the 429 was retried once; the gate's refusal was final
    assert info.value.status_code is None


def test_never_makes_one_attempt(mode: str, clock: FakeClock) -> None:
    script = Script([response(503)])
    with pytest.raises(unsend.ProviderUnavailable):
        run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=RetryPolicy.never())
    assert len(script.requests) == 1


def test_each_attempt_timeout_is_clipped_to_the_time_left(mode: str, clock: FakeClock) -> None:
    script = Script([response(503, headers={"Retry-After": "8"}), response(200)])
    run_cancel(
        mode,
        unsend.QStash("tok"),
        script,
        clock=clock,
        retry=RetryPolicy(deadline=12),
        timeout=httpx.Timeout(10, connect=5),
    )
    first, second = script.timeouts
    assert first == {"connect": 5, "read": 10, "write": 10, "pool": 10}
    assert second == {"connect": 4, "read": 4, "write": 4, "pool": 4}


def test_on_retry_and_the_log_report_each_retry_without_secrets(
    mode: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[unsend.RetryEvent] = []
    script = Script(
        [
            response(429, {"errors": ["x"]}, headers={"Retry-After": "1"}),
            response(200, {"success": True}),
        ]
    )
    with caplog.at_level(logging.DEBUG, logger="unsend"):
        run_cancel(
            mode,
            unsend.OneSignal("secret-app", "secret-key"),
            script,
            message_id="n-1",
            clock=clock,
            on_retry=events.append,
        )
    assert [(e.attempt, e.wait, e.status_code, e.message_id) for e in events] == [
        (1, 1.0, 429, "n-1")
    ]
    assert isinstance(events[0].error, unsend.RateLimited)
    everything = [r.getMessage() for r in caplog.records]
    assert not any("secret" in line for line in everything)
    lines = [r.getMessage() for r in caplog.records if getattr(r, "reason", None)]  # retries
    assert len(lines) == 1
    assert "onesignal" in lines[0]
    assert "'n-1'" in lines[0]
    assert "HTTP 429" in lines[0]
    assert "1.000 s" in lines[0]
    assert not any("secret" in line for line in lines)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"deadline": 0},
        {"deadline": float("inf")},
        {"initial": -1},
        {"jitter": float("nan")},
    ],
)
def test_policy_validates_its_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"max_attempts": 0}, "max_attempts must be an integer >= 1, got 0"),
        ({"max_attempts": True}, "max_attempts must be an integer >= 1, got True"),
        ({"max_attempts": 2.0}, "max_attempts must be an integer >= 1, got 2.0"),
        ({"deadline": 0}, "deadline must be a positive number, got 0"),
        ({"deadline": "5"}, "deadline must be a positive number, got '5'"),
        ({"initial": -0.1}, "initial must be a number >= 0, got -0.1"),
        ({"max": float("inf")}, "max must be a number >= 0, got inf"),
    ],
)
def test_a_refused_policy_value_is_named_with_what_was_given(
    kwargs: dict[str, object], said: str
) -> None:
    with pytest.raises(ValueError) as refused:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert str(refused.value) == said


def test_the_smallest_values_a_policy_takes() -> None:
    policy = RetryPolicy(max_attempts=1, deadline=0.5, initial=0, max=0, jitter=0)
    assert (policy.max_attempts, policy.deadline, policy.initial) == (1, 0.5, 0)


def test_never_is_one_attempt_under_the_default_or_a_given_deadline() -> None:
    assert RetryPolicy.never() == RetryPolicy(max_attempts=1, deadline=30.0)
    assert RetryPolicy.never(deadline=5) == RetryPolicy(max_attempts=1, deadline=5)


def test_a_failure_that_is_not_retryable_ends_the_retries(mode: str, clock: FakeClock) -> None:
    """The first failure was retryable; the second (refused credentials) is final at once."""
    script = Script([response(503), response(401, {"error": "bad key"}), response(200)])
    with pytest.raises(unsend.AuthenticationError) as refused:
        run_cancel(mode, unsend.QStash("tok"), script, clock=clock, retry=NO_JITTER)
    assert len(script.requests) == 2
    assert refused.value.attempts == 2


def test_policy_is_a_frozen_value() -> None:
    policy = RetryPolicy()
    assert policy == RetryPolicy()
    with pytest.raises(AttributeError):
        policy.max_attempts = 9  # type: ignore[misc]
