"""The emulator over real HTTP on loopback, through the ``unsend_emulator`` fixture: what is
particular to a provider (its publish endpoints, its limits' headers, its ways to authenticate).
Every provider's outcome table, refusals and 429s are in
tests/integration/test_emulated_outcomes.py; every exchange's shape is checked against the
provider's own OpenAPI document in tests/integration/test_contract.py."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

import unsend
from unsend.testing import EmulatorFixture


def raw(emu: EmulatorFixture, provider: str, message_id: str, **kw: Any) -> httpx.Response:
    """Send unsend's cancel request for ``message_id`` without unsend reading the answer."""
    request = emu.provider(provider).cancel_request(message_id)
    with httpx.Client(timeout=10) as client:
        return client.send(request, **kw)


def test_onesignal_wrong_app_id_is_refused(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    message_id = emu.seed("onesignal")[0]
    other_app = unsend.OneSignal("another-app", emu.credentials.onesignal_api_key, base_url=emu.url)
    with pytest.raises(unsend.AuthenticationError), unsend.Canceller(other_app) as canceller:
        canceller.cancel(message_id)


def test_qstash_token_is_also_accepted_as_a_query_parameter(
    unsend_emulator: EmulatorFixture,
) -> None:
    emu = unsend_emulator
    message_id = emu.seed("qstash")[0]
    response = httpx.delete(
        f"{emu.url}/v2/messages/{message_id}",
        params={"qstash_token": emu.credentials.qstash_token},
    )
    assert response.status_code == 200


def test_publish_endpoints_schedule_messages(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    creds = emu.credentials
    with httpx.Client(base_url=emu.url) as http:
        q = http.post(
            "/v2/publish/https://example.com/hook",
            headers={
                "Authorization": f"Bearer {creds.qstash_token}",
                "Upstash-Delay": "10m",
                "Upstash-Label": "drip",
            },
        )
        o = http.post(
            "/notifications",
            headers={"Authorization": f"Key {creds.onesignal_api_key}"},
            json={
                "app_id": creds.onesignal_app_id,
                "contents": {"en": "hi"},
                "send_after": "2099-01-01T00:00:00Z",
            },
        )
        c = http.post(
            "/send",
            headers={"Authorization": f"Bearer {creds.courier_token}"},
            json={
                "message": {
                    "to": {"user_id": "u1"},
                    "template": "t1",
                    "delay": {"duration": 60_000},
                }
            },
        )
        qid, oid, cid = q.json()["messageId"], o.json()["id"], c.json()["requestId"]
        assert c.status_code == 202
        got = http.get(
            f"/v2/messages/{qid}", headers={"Authorization": f"Bearer {creds.qstash_token}"}
        ).json()
        assert (got["url"], got["label"]) == ("https://example.com/hook", "drip")
        record = http.get(
            f"/messages/{cid}", headers={"Authorization": f"Bearer {creds.courier_token}"}
        ).json()
        assert (record["status"], record["recipient"]) == ("ENQUEUED", "u1")
    assert emu.states("qstash")[qid] == "scheduled"
    assert emu.states("onesignal")[oid] == "scheduled"
    emu.advance(61)
    assert emu.states("courier")[cid] == "delivered"
    assert emu.states("qstash")[qid] == "scheduled"


# -- faults ---------------------------------------------------------------------------------


def test_qstash_burst_and_daily_limits_carry_the_real_headers(
    unsend_emulator: EmulatorFixture,
) -> None:
    emu = unsend_emulator
    message_id = emu.seed("qstash")[0]
    emu.set_faults("qstash", rate_limit_rate=1.0, retry_after=2)
    before = emu.now()  # taken first: however long the request takes, the reset is later
    burst = raw(emu, "qstash", message_id)
    assert burst.status_code == 429
    assert burst.headers["Burst-RateLimit-Remaining"] == "0"
    assert int(burst.headers["Burst-RateLimit-Reset"]) >= int(before) + 1  # an epoch, 2 s out
    assert "RateLimit-Limit" not in burst.headers
    emu.set_faults("qstash", daily_quota=0)
    daily = raw(emu, "qstash", message_id)
    assert daily.status_code == 429
    assert daily.headers["RateLimit-Limit"] == "0"
    assert "RateLimit-Reset" in daily.headers
    assert emu.states("qstash")[message_id] == "scheduled"


def test_onesignal_429_always_has_retry_after(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    emu.set_faults("onesignal", rate_limit_rate=1.0, retry_after=3)
    response = raw(emu, "onesignal", emu.seed("onesignal")[0])
    assert (response.status_code, response.headers["Retry-After"]) == (429, "3")
    assert response.json() == {"errors": ["API rate limit exceeded"]}


def not_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("json", lambda r: r.json()["errors"]),
        ("html", lambda r: r.text.startswith("<html>")),
        ("empty", lambda r: r.content == b""),
        ("binary", lambda r: not_utf8(r.content)),
    ],
)
def test_unavailable_bodies(unsend_emulator: EmulatorFixture, body: str, check: Any) -> None:
    emu = unsend_emulator
    emu.set_faults(
        "onesignal",
        unavailable_rate=1.0,
        unavailable_body=body,
        unavailable_retry_after=4 if body == "json" else None,
    )
    response = raw(emu, "onesignal", emu.seed("onesignal")[0])
    assert response.status_code == 503
    assert check(response)
    assert ("Retry-After" in response.headers) == (body == "json")


def test_a_dropped_connection_gives_no_response_and_changes_nothing(
    unsend_emulator: EmulatorFixture,
) -> None:
    emu = unsend_emulator
    message_id = emu.seed("courier")[0]
    emu.set_faults("courier", drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        raw(emu, "courier", message_id).read()
    assert emu.states("courier")[message_id] == "scheduled"
    assert emu.stats()["courier"]["dropped"] == 1


def test_latency_past_the_client_timeout_leaves_the_message_untouched(
    unsend_emulator: EmulatorFixture,
) -> None:
    emu = unsend_emulator
    message_id = emu.seed("qstash")[0]
    emu.set_faults("qstash", latency_ms=400)
    canceller = emu.canceller("qstash", timeout=0.1, retry=unsend.RetryPolicy.never())
    with pytest.raises(unsend.TransportError, match="Timeout"), canceller:
        canceller.cancel(message_id)
    # The emulator's handler ends 0.4 s after the request, in its own thread: wait for it to
    # say so, up to a bound no loaded machine reaches (a fixed sleep of 0.5 s could be early).
    give_up = time.monotonic() + 30
    while emu.stats()["qstash"].get("abandoned") != 1 and time.monotonic() < give_up:
        time.sleep(0.05)
    assert emu.stats()["qstash"].get("abandoned") == 1
    assert emu.states("qstash")[message_id] == "scheduled"


def test_faults_touch_only_cancel_routes(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    emu.set_faults("qstash", unavailable_rate=1.0)
    assert len(emu.seed("qstash", count=3)) == 3
    emu.clear_faults("qstash")
    assert raw(emu, "qstash", "missing").status_code == 404


def test_control_api_refuses_bad_input(unsend_emulator: EmulatorFixture) -> None:
    with pytest.raises(RuntimeError, match="400"):
        unsend_emulator.seed("pigeon")
    with pytest.raises(RuntimeError, match="400"):
        unsend_emulator.set_faults("qstash", drop_rate=3)
    with pytest.raises(RuntimeError, match="404"):
        unsend_emulator.set_faults("pigeon", drop_rate=0)


def test_reset_clears_state_faults_and_stats(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    emu.seed("qstash", count=2)
    emu.set_faults("qstash", drop_rate=1.0)
    emu.reset()
    assert emu.messages() == []
    assert raw(emu, "qstash", "x").status_code == 404


def test_resend_tells_a_wrong_key_from_a_missing_one() -> None:
    """Resend documents 401 missing_api_key without a key and 403 invalid_api_key for a wrong
    one (its SDK raises MissingApiKeyError and InvalidApiKeyError)."""
    from unsend.testing import InProcessEmulator

    with InProcessEmulator() as emu:
        (email_id,) = emu.seed("resend")
        path = f"/emails/{email_id}/cancel"
        wrong = emu.sync_client.post(path, headers={"Authorization": "Bearer re_wrong_key"})
        missing = emu.sync_client.post(path)
    assert (wrong.status_code, wrong.json()["name"]) == (403, "invalid_api_key")
    assert (missing.status_code, missing.json()["name"]) == (401, "missing_api_key")
