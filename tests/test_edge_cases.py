"""Behaviour the mutation sample showed no test reading: error fields, texts, log filtering."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

import unsend
from tests.helpers import courier_record
from unsend._ids import validate_message_id
from unsend._secret import RedactingFilter, redact, register_secrets

SECRET = "s3cret-token-value"


@pytest.mark.parametrize(
    ("bad", "shown"),
    [("a/b", "a/b"), ("x" * 80 + "/", None), ("", ""), (42, None)],
)
def test_an_invalid_id_is_named_in_the_error_when_short_enough(bad: object, shown: object) -> None:
    with pytest.raises(unsend.InvalidMessageId) as caught:
        validate_message_id(bad, provider="qstash")
    assert caught.value.message_id == shown
    assert caught.value.provider == "qstash"
    assert caught.value.message.startswith("invalid message id: ")


def test_the_daily_quota_error_names_its_provider_and_quota() -> None:
    answer = httpx.Response(429, headers={"RateLimit-Limit": "500"}, json={"error": "x"})
    with pytest.raises(unsend.DailyLimitExceeded) as caught:
        unsend.QStash(SECRET).cancel_result("m-1", answer)
    assert (caught.value.provider, caught.value.message_id) == ("qstash", "m-1")
    assert caught.value.message == "QStash daily request quota of 500 is spent"


def test_a_non_finite_courier_timestamp_is_unexpected_and_says_where() -> None:
    from datetime import datetime

    from unsend._record import _ms_datetime

    body = json.dumps(courier_record()).replace("1767225600000", "NaN").encode()
    with pytest.raises(unsend.UnexpectedResponse, match=r"timestamp is not finite @ \$\.enqueued"):
        unsend.Courier(SECRET).cancel_result("m-1", httpx.Response(200, content=body))
    with pytest.raises(ValueError, match=r"^timestamp is not finite$"):
        _ms_datetime(float("nan"), datetime)


def test_a_wrongly_typed_record_field_is_named_by_its_path() -> None:
    body = courier_record(recipient=7)
    with pytest.raises(unsend.UnexpectedResponse, match=r"@ \$\.recipient"):
        unsend.Courier(SECRET).cancel_result("m-1", httpx.Response(200, json=body))


def test_a_malformed_record_echoing_the_token_keeps_it_out_of_the_excerpt() -> None:
    body = courier_record(recipient=7, event=f"token {SECRET}")
    with pytest.raises(unsend.UnexpectedResponse) as caught:
        unsend.Courier(SECRET).cancel_result("m-1", httpx.Response(409, json=body))
    assert caught.value.body_excerpt
    assert SECRET not in caught.value.body_excerpt


def test_courier_reasons_echoing_the_token_are_redacted() -> None:
    body = courier_record("UNDELIVERABLE", reason=SECRET, id="m-1")
    result = unsend.Courier(SECRET).cancel_result("m-1", httpx.Response(409, json=body))
    assert result.record is not None
    assert result.record.reason is not None
    assert result.record.reason.value == "***"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("ab\x07cdefgh", "the courier token holds a control character; credentials travel in"),
        ("abcdéfgh", "the courier token holds a non-ASCII character; credentials travel in"),
    ],
)
def test_credential_refusals_read_exactly(value: str, text: str) -> None:
    with pytest.raises(unsend.ConfigError) as caught:
        unsend.Courier(value)
    assert caught.value.message.startswith(text)
    assert caught.value.message.endswith("an HTTP header, which cannot carry one")


def test_every_json_escape_form_of_each_character_is_blanked() -> None:
    lower = "".join(f"\\u{ord(c):04x}" for c in SECRET)
    upper = "".join(f"\\u{ord(c):04X}" for c in SECRET)
    assert redact(f'"{lower}"', [SECRET]) == '"***"'
    assert redact(f'"{upper}"', [SECRET]) == '"***"'


def test_the_log_filter_blanks_registered_secrets_and_leaves_other_lines_alone() -> None:
    secret = "filter-secret-" + "9" * 8
    register_secrets([secret, "short"])
    logger = logging.getLogger("httpcore.http11")
    assert any(isinstance(f, RedactingFilter) for f in logger.filters)
    assert all(not isinstance(f, RedactingFilter) or f is logger.filters[0] for f in logger.filters)
    record = logger.makeRecord("httpcore.http11", logging.DEBUG, "f", 1, "got %s", (secret,), None)
    assert logger.filters[0].filter(record)
    assert record.getMessage() == "got ***"
    plain = logger.makeRecord("httpcore.http11", logging.DEBUG, "f", 1, "got %s", ("x",), None)
    logger.filters[0].filter(plain)
    assert (plain.msg, plain.args) == ("got %s", ("x",))  # untouched, formatting kept lazy
    short = logger.makeRecord("httpcore.http11", logging.DEBUG, "f", 1, "short", None, None)
    logger.filters[0].filter(short)
    assert short.getMessage() == "short"  # too short to be a credential: never registered


def test_the_log_filter_lives_exactly_as_long_as_its_secrets_owners(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unsend import _secret

    monkeypatch.setattr(_secret, "_owners", _secret._Owners())
    for name in _secret.LOGGERS:
        monkeypatch.setattr(logging.getLogger(name), "filters", [])
    first = register_secrets(["fresh-secret-123"])
    second = register_secrets(["fresh-secret-123", "other-secret-456"])
    assert _secret.registered_secrets() == ("fresh-secret-123", "other-secret-456")
    for name in _secret.LOGGERS:
        assert logging.getLogger(name).filters == [_secret._FILTER]
    _secret.release_secrets(second)
    assert _secret.registered_secrets() == ("fresh-secret-123",)
    assert logging.getLogger("httpx").filters == [_secret._FILTER]
    _secret.release_secrets(first)
    _secret.release_secrets(first)  # twice is harmless
    assert _secret.registered_secrets() == ()
    for name in _secret.LOGGERS:
        assert logging.getLogger(name).filters == []


def test_a_closed_or_collected_canceller_leaves_nothing_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from unsend import _secret

    monkeypatch.setattr(_secret, "_owners", _secret._Owners())
    with unsend.Canceller(unsend.Courier("closed-token-123")):
        assert _secret.registered_secrets() == ("closed-token-123",)
    assert _secret.registered_secrets() == ()
    unsend.Canceller(unsend.Courier("dropped-token-456"))
    gc.collect()
    assert _secret.registered_secrets() == ()


def test_excerpts_read_far_enough_past_leading_blank_space() -> None:
    from unsend.providers._responses import body_excerpt

    assert body_excerpt(b" " * 12_700 + b"x" * 300) == "x" * 100  # 12,800 bytes are read, no more
    assert body_excerpt("é".encode() * 300) == "é" * 200 + "…"
    assert body_excerpt(b"\x1b[0m" + b"y" * 10) == "[0m" + "y" * 10  # escape char blanked


def test_credential_refusals_name_their_provider() -> None:
    for bad in ("abc\x00defgh", "abcédefgh"):
        with pytest.raises(unsend.ConfigError) as caught:
            unsend.OneSignal("app-1", bad)
        assert caught.value.provider == "onesignal"


def test_a_secret_of_exactly_eight_characters_is_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unsend import _secret

    monkeypatch.setattr(_secret, "_owners", _secret._Owners())
    register_secrets(["12345678", "1234567"])
    assert _secret.registered_secrets() == ("12345678",)


def test_a_log_record_that_cannot_be_formatted_is_left_to_logging() -> None:
    register_secrets(["filter-secret-" + "9" * 8])
    broken = logging.LogRecord("httpx", logging.DEBUG, "f", 1, "%d", ("not a number",), None)
    assert RedactingFilter().filter(broken) is True


def test_a_non_retryable_failure_after_a_retryable_one_ends_the_cancel(clock: object) -> None:
    from tests.helpers import Script, response, run_cancel

    script = Script(
        [
            response(429, {"errors": ["slow"]}, headers={"Retry-After": "1"}),
            response(401, {"errors": ["no"]}),
        ]
    )
    with pytest.raises(unsend.AuthenticationError) as caught:
        run_cancel("sync", unsend.OneSignal("app-1", SECRET), script, clock=clock)
    assert caught.value.attempts == 2
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    ("options", "text"),
    [
        ({"max_attempts": True}, "max_attempts must be an integer >= 1, got True"),
        ({"max_attempts": 0}, "max_attempts must be an integer >= 1, got 0"),
        ({"deadline": 0}, "deadline must be a positive number, got 0"),
        ({"initial": -1}, "initial must be a number >= 0, got -1"),
        ({"jitter": float("nan")}, "jitter must be a number >= 0, got nan"),
    ],
)
def test_retry_policy_refusals_read_exactly(options: dict[str, object], text: str) -> None:
    with pytest.raises(ValueError, match=f"^{text}$"):
        unsend.RetryPolicy(**options)  # type: ignore[arg-type]


def test_a_deadline_below_one_second_is_valid() -> None:
    assert unsend.RetryPolicy(deadline=0.5).deadline == 0.5


def test_a_record_with_two_bad_fields_lists_both() -> None:
    body = courier_record(recipient=7, event=8)
    with pytest.raises(unsend.UnexpectedResponse) as caught:
        unsend.Courier(SECRET).cancel_result("m-1", httpx.Response(200, json=body))
    assert "@ $.recipient; " in caught.value.message or "@ $.event; " in caught.value.message


def test_a_release_from_the_garbage_collector_never_deadlocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The collector may free an unclosed canceller at any allocation, even inside the owners'
    lock on the same thread (it hung a fuzz test once): the release must not wait for it."""
    import threading

    from unsend import _secret

    owners = _secret._Owners()
    monkeypatch.setattr(_secret, "_owners", owners)
    handle = register_secrets(["collected-token-1"])
    returned = threading.Event()

    def release_while_locked() -> None:
        with owners._lock:  # as inside add(), when the collector runs a finalizer
            _secret.release_secrets(handle)
        returned.set()

    thread = threading.Thread(target=release_while_locked, daemon=True)
    thread.start()
    thread.join(10)
    assert returned.is_set(), "release_secrets waited on a lock its own thread held"
    register_secrets(["next-token-2"])  # the queued release is applied by the next holder
    assert _secret.registered_secrets() == ("next-token-2",)
