"""Courier's record fields and a transport's own error text never show the credential.

Echoes in error bodies and headers, in every encoding, for every provider, are the conformance
suite's (tests/conformance/test_no_credential_shown.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import unsend
from unsend._engine.clock import FakeClock

from .run import timed_cancel
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
    # A record whose id is not this message's (the echo replaced it) is no answer about it.
    expected = unsend.UnexpectedResponse if field == "id" else unsend.CancelResult
    assert isinstance(outcome, expected), repr(outcome)
    assert not leaked(_everything_shown(outcome)), _everything_shown(outcome)


def test_a_transport_error_holding_the_token_is_blanked() -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(f"Illegal header value b'Bearer {TOKEN}'")

    provider = unsend.Courier(TOKEN)
    client = httpx.Client(transport=httpx.MockTransport(handler))
    _, outcome = timed_cancel("sync", provider, "1-abc", client=client, clock=FakeClock())
    assert isinstance(outcome, unsend.TransportError)
    assert not leaked(f"{outcome} {outcome!r} {outcome.args}")
