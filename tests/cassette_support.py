"""Recording and replaying cassettes: targets, scrubbing, and the vcrpy configuration.

Replay (the default, and CI) uses record mode ``none``: no server, no network. Recording is asked
for with ``UNSEND_RECORD``:

- ``UNSEND_RECORD=emulator``: against an emulator this process starts; every scenario.
- ``UNSEND_RECORD=real``: against the real providers, with credentials from the environment;
  only the scenarios a real account can produce on demand.

Whatever the target, cassettes read like production traffic: URLs carry the provider's real
host, credentials are replaced by placeholders (``qstash_token`` and ``app_id`` are replaced,
not removed, so a request missing them still fails to match), ``date`` and ``server`` headers
are dropped, and reset headers in unix time are rebased on ``CASSETTE_EPOCH`` so a replay on
``FakeClock`` waits exactly what the recording was told to wait.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import vcr

from unsend._engine.clock import FakeClock

CASSETTES = Path(__file__).parents[1] / "cassettes"
CASSETTE_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z, the replay clock's wall time
REAL_HOSTS = {
    "qstash": "https://qstash.upstash.io",
    "onesignal": "https://api.onesignal.com",
    "courier": "https://api.courier.com",
    "twilio": "https://api.twilio.com",
    "resend": "https://api.resend.com",
    "sendgrid": "https://api.sendgrid.com",
    "knock": "https://api.knock.app",
    "novu": "https://api.novu.co",
    "airship": "https://go.urbanairship.com",
    "brevo": "https://api.brevo.com",
    "slack": "https://slack.com",
    "mailchimp": "https://mandrillapp.com",
    "sinch": "https://us.sms.api.sinch.com",
    "braze": "https://rest.iad-01.braze.com",
    "eventbridge": "https://scheduler.us-east-1.amazonaws.com",
    "cloudtasks": "https://cloudtasks.googleapis.com",
}
PLACEHOLDERS = {
    "authorization": "<AUTHORIZATION>",
    "qstash_token": "<QSTASH_TOKEN>",
    "app_id": "<ONESIGNAL_APP_ID>",
    "clientToken": "<CLIENT_TOKEN>",  # EventBridge's, new for every cancel
}
KEPT_REQUEST_HEADERS = {"authorization", "accept", "content-type", "idempotency-key"}
DROPPED_RESPONSE_HEADERS = {"date", "server"}
UNIX_RESET_HEADERS = ("burst-ratelimit-reset", "ratelimit-reset", "x-ratelimit-reset")
REAL_ENV = {
    "qstash": ("UNSEND_QSTASH_TOKEN",),
    "onesignal": ("UNSEND_ONESIGNAL_APP_ID", "UNSEND_ONESIGNAL_API_KEY"),
    "courier": ("UNSEND_COURIER_TOKEN",),
}


def record_target() -> str | None:
    """None when replaying; "emulator" or "real" when recording."""
    target = os.environ.get("UNSEND_RECORD", "").strip().lower() or None
    if target not in (None, "emulator", "real"):
        raise ValueError("UNSEND_RECORD must be 'emulator' or 'real'")
    return target


def cassette_path(provider: str, scenario: str) -> Path:
    return CASSETTES / provider / f"{scenario}.yaml"


def replay_clock() -> FakeClock:
    return FakeClock(wall_start=CASSETTE_EPOCH)


def _scrub_uri(uri: str, target_url: str | None, provider: str) -> str:
    if target_url and uri.startswith(target_url):
        uri = REAL_HOSTS[provider] + uri[len(target_url) :]
    parts = urlsplit(uri)
    query = [
        (key, PLACEHOLDERS.get(key, value))
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _scrub_body(body: Any) -> Any:
    """A JSON body's credential fields (Mandrill's ``key``) as placeholders."""
    if not body:
        return body
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return body
    if isinstance(data, dict) and "key" in data:
        data["key"] = "<KEY>"
        return json.dumps(data, separators=(",", ":")).encode()
    return body


def make_vcr(provider: str, *, target_url: str | None, record_mode: str) -> vcr.VCR:
    def before_record_request(request: Any) -> Any:
        request = copy.deepcopy(request)
        request.uri = _scrub_uri(request.uri, target_url, provider)
        request.body = _scrub_body(request.body)
        for name in list(request.headers):
            if name.lower() not in KEPT_REQUEST_HEADERS:
                del request.headers[name]
            elif name.lower() == "authorization":
                request.headers[name] = PLACEHOLDERS["authorization"]
        return request

    def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
        response = copy.deepcopy(response)
        headers = response["headers"]
        recorded_at = time.time()
        for name in list(headers):
            lower = name.lower()
            if lower in DROPPED_RESPONSE_HEADERS:
                del headers[name]
            elif lower in UNIX_RESET_HEADERS:
                value = float(headers[name][0])
                if value >= 1e9:
                    delta = max(0, math.ceil(value - recorded_at))
                    headers[name] = [str(CASSETTE_EPOCH + delta)]
        return response

    recording = record_mode != "none"
    return vcr.VCR(
        record_mode=record_mode,
        before_record_request=before_record_request,
        # vcrpy also runs this hook when it loads a cassette; rebasing is for recording only.
        before_record_response=before_record_response if recording else None,
        match_on=["method", "scheme", "host", "port", "path", "query"],
        decode_compressed_response=True,
        # allow_playback_repeats stays off (vcrpy's default): an ordered 429 -> 200 must replay
        # in order, not the first match forever.
    )


def real_credentials(provider: str) -> tuple[str, ...]:
    values = tuple(os.environ.get(name, "") for name in REAL_ENV[provider])
    return values if all(values) else ()


def known_secrets() -> set[str]:
    """Every credential value recording may have used: the emulator's, and any from the env."""
    from unsend._registry import provider_spec
    from unsend.emulator import Credentials, emulated_providers

    emulator = Credentials()
    secrets: set[str] = set()
    for name in emulated_providers():  # what each adapter itself hides, as it is written
        options = {**emulator.of(name), "base_url": "http://127.0.0.1:1"}
        hidden = getattr(provider_spec(name).build(options), "secrets", ())
        secrets.update(v for v in emulator.of(name).values() if v in hidden)
    for names in REAL_ENV.values():  # the newer providers are recorded on the emulator only
        secrets.update(v for n in names if (v := os.environ.get(n)))
    return secrets
