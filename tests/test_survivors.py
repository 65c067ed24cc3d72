"""Behaviour the mutation sample showed no test reading: error fields, texts, log filtering."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

import unsend
from tests.helpers import courier_record
from unsend._ids import validate_message_id
from unsend.providers._secret import RedactingFilter, redact, register_secrets

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

    from unsend.providers._record import _ms_datetime

    body = json.dumps(courier_record()).replace("1767225600000", "NaN").encode()
    with pytest.raises(unsend.UnexpectedResponse, match=r"expected datetime @ \$\.enqueued"):
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
    body = courier_record("UNDELIVERABLE", reason=SECRET)
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


def test_register_secrets_installs_the_filter_on_every_httpx_logger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unsend.providers import _secret

    monkeypatch.setattr(_secret, "_registered", set())
    for name in _secret._LOGGERS:
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "filters", [])
    register_secrets(["fresh-secret-123"])
    assert _secret._registered == {"fresh-secret-123"}
    for name in _secret._LOGGERS:
        assert logging.getLogger(name).filters == [_secret._FILTER]
    register_secrets(["fresh-secret-123"])  # idempotent
    assert logging.getLogger("httpx").filters == [_secret._FILTER]


def test_a_format_character_is_named_in_the_refusal() -> None:
    with pytest.raises(unsend.InvalidMessageId) as caught:
        validate_message_id("msg\u200b1")
    assert caught.value.message == (
        "invalid message id: it contains the invisible format character U+200B"
    )


def test_onesignal_app_ids_are_percent_encoded_whole_in_the_query() -> None:
    request = unsend.OneSignal("app/id?&=", SECRET).cancel_request("n-1")
    assert request.url.query == b"app_id=app%2Fid%3F%26%3D"
    assert request.url.params["app_id"] == "app/id?&="


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (42, "expected a string, got int"),
        ("", "it is empty"),
        (".", "a dot segment would be normalised out of the URL"),
        ("a b", "it contains whitespace"),
        ("a\x00b", "it contains the control character U+0000"),
        ("x" * 513, "it is longer than 512 characters"),
        ("a?b", "it contains '?', which would change the URL"),
    ],
)
def test_id_refusals_read_exactly(bad: object, why: str) -> None:
    with pytest.raises(unsend.InvalidMessageId) as caught:
        validate_message_id(bad)
    assert caught.value.message == f"invalid message id: {why}"


def test_an_id_of_exactly_80_characters_is_named_and_81_is_not() -> None:
    for length, shown in ((80, True), (81, False)):
        bad = "a" * (length - 1) + "/"
        with pytest.raises(unsend.InvalidMessageId) as caught:
            validate_message_id(bad)
        assert (caught.value.message_id == bad) is shown


def test_excerpts_read_far_enough_past_leading_blank_space() -> None:
    from unsend.providers._responses import body_excerpt

    assert body_excerpt(b" " * 700 + b"x" * 300) == "x" * 100  # 800 bytes are read, no more
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
    from unsend.providers import _secret

    monkeypatch.setattr(_secret, "_registered", set())
    register_secrets(["12345678", "1234567"])
    assert _secret._registered == {"12345678"}


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
