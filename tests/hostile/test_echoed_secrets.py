"""A server that echoes the credential back, in any form, never gets it shown."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

import unsend
from unsend._engine.clock import FakeClock

from .run import timed_cancel, user_client
from .server import HostileServer, response

TOKEN = "tok/en-secret+value"  # '/' and '+' have escaped forms
ESCAPED_FORMS = {
    "plain": TOKEN,
    "json": json.dumps(TOKEN)[1:-1],
    "json with \\/": TOKEN.replace("/", "\\/"),
    "\\u00xx": "".join(f"\\u{ord(c):04x}" for c in TOKEN),
    "\\u00XX upper": "".join(f"\\u{ord(c):04X}" for c in TOKEN),
    "mixed": TOKEN[:3] + "\\u002f" + TOKEN[4:],
    "percent": TOKEN.replace("/", "%2F").replace("+", "%2B"),
}


def leaked(text: str) -> list[str]:
    return [name for name, form in ESCAPED_FORMS.items() if form in text]


def _everything_shown(outcome: object) -> str:
    shown = [str(outcome), repr(outcome)]
    if isinstance(outcome, unsend.UnexpectedResponse):
        shown.append(outcome.body_excerpt)
    if isinstance(outcome, unsend.CancelResult):
        shown += [str(outcome.detail), repr(outcome.record)]
    return "\n".join(shown)


@pytest.fixture(scope="module")
def echo_server() -> Iterator[HostileServer]:
    """One server for the module; each test sets what it answers."""
    with HostileServer(lambda head: []) as server:
        yield server


@pytest.mark.parametrize("form", list(ESCAPED_FORMS))
@pytest.mark.parametrize("status", [400, 404, 500])
def test_an_echo_in_the_body_is_blanked_in_every_form(
    mode: str, form: str, status: int, echo_server: HostileServer
) -> None:
    echo = ESCAPED_FORMS[form]
    body = ('{"error": "bad token ' + echo + '", "errors": ["' + echo + '"]}').encode()
    answer = response(status, body, {"Content-Type": "application/json"})
    echo_server.respond = lambda head: [answer]
    url = echo_server.url
    for provider in (
        unsend.QStash(TOKEN, base_url=url),
        unsend.OneSignal("app-id-1234", TOKEN, base_url=url),
        unsend.Courier(TOKEN, base_url=url),
    ):
        _, outcome = timed_cancel(
            mode, provider, clock=FakeClock(), retry=unsend.RetryPolicy.never()
        )
        assert isinstance(outcome, unsend.CancelResult | unsend.UnsendError), repr(outcome)
        assert not leaked(_everything_shown(outcome)), _everything_shown(outcome)


@pytest.mark.parametrize("field", ["status", "reason", "error", "recipient", "id"])
@pytest.mark.parametrize("form", ["plain", "json with \\/", "\\u00xx"])
def test_courier_record_fields_and_open_enums_are_redacted(
    mode: str, field: str, form: str, echo_server: HostileServer
) -> None:
    record = {
        "id": "1-abc",
        "status": "UNDELIVERABLE",
        "reason": "FAILED",
        "enqueued": 1_767_225_600_000,
        "recipient": "user-1",
        "event": "e",
        "notification": "n",
        "error": "x",
    }
    record[field] = "@@"
    body = json.dumps(record).replace("@@", ESCAPED_FORMS[form]).encode()
    answer = response(409, body, {"Content-Type": "application/json"})
    echo_server.respond = lambda head: [answer]
    provider = unsend.Courier(TOKEN, base_url=echo_server.url)
    _, outcome = timed_cancel(mode, provider, "1-abc", clock=FakeClock())
    assert isinstance(outcome, unsend.CancelResult), repr(outcome)
    assert not leaked(_everything_shown(outcome)), _everything_shown(outcome)


@pytest.mark.parametrize("logger", ["httpx", "httpcore", "unsend"])
def test_an_echo_in_a_response_header_is_blanked_from_debug_logs(
    mode: str, logger: str, caplog: pytest.LogCaptureFixture
) -> None:
    answer = response(
        429,
        b'{"errors": ["slow down"]}',
        {"X-Echo": TOKEN, "X-Echo-Escaped": ESCAPED_FORMS["\\u00xx"], "Retry-After": "1"},
    )
    # The async default sends through aiohttp, which logs no headers: a caller's httpx client
    # is what writes these lines there.
    client = user_client(mode) if logger != "unsend" else None
    with HostileServer(lambda head: [answer]) as server, caplog.at_level(logging.DEBUG, logger):
        provider = unsend.OneSignal("app-id-1234", TOKEN, base_url=server.url)
        _, outcome = timed_cancel(
            mode,
            provider,
            client=client,
            clock=FakeClock(),
            retry=unsend.RetryPolicy(max_attempts=2),
        )
    assert isinstance(outcome, unsend.RateLimited)
    assert caplog.records, "the logger wrote nothing: the test would prove nothing"
    assert not leaked(caplog.text), caplog.text
    if logger == "httpcore":
        assert "X-Echo" in caplog.text  # the header line itself is still logged


def test_nothing_logged_anywhere_on_the_default_transports_holds_the_secret(
    mode: str, caplog: pytest.LogCaptureFixture, echo_server: HostileServer
) -> None:
    answer = response(503, ESCAPED_FORMS["json"].encode(), {"X-Echo": TOKEN, "Retry-After": "0"})
    echo_server.respond = lambda head: [answer]
    with caplog.at_level(logging.DEBUG):  # every logger, aiohttp's and asyncio's included
        provider = unsend.Courier(TOKEN, base_url=echo_server.url)
        _, outcome = timed_cancel(
            mode, provider, "1-abc", clock=FakeClock(), retry=unsend.RetryPolicy(max_attempts=2)
        )
    assert isinstance(outcome, unsend.ProviderUnavailable)
    assert any(r.name == "unsend" for r in caplog.records)  # the retry line
    assert not leaked(caplog.text), caplog.text


def test_a_transport_error_holding_the_token_is_blanked() -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(f"Illegal header value b'Bearer {TOKEN}'")

    provider = unsend.Courier(TOKEN)
    client = httpx.Client(transport=httpx.MockTransport(handler))
    _, outcome = timed_cancel("sync", provider, "1-abc", client=client, clock=FakeClock())
    assert isinstance(outcome, unsend.TransportError)
    assert not leaked(f"{outcome} {outcome!r} {outcome.args}")
