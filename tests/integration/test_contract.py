"""unsend's requests and the emulator's responses, validated against providers/*.yaml."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest
from openapi_core import OpenAPI

import unsend
from tests.integration.openapi_httpx import OpenAPIRequest, OpenAPIResponse
from unsend.testing import EmulatorFixture

SPECS = Path(__file__).parents[2] / "providers"
HOSTS = {
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
UNKNOWN = {
    "twilio": "SM" + "e" * 32,
    "resend": "00000000-0000-4000-8000-00000000000e",
    "knock": "reminder:unknown-key",
    "airship": "00000000-0000-4000-8000-0000000000a1",
    "brevo": "<unknown@relay.example.com>",
    "slack": "C0DEV0001:Q0000000000",
    "mailchimp": "NoSuchScheduledEmail00",
    "sinch": "01NOSUCHBATCH0000000000000",
    "braze": "no-such-schedule",
    "eventbridge": "never-made",
    "cloudtasks": "unsend-dev:europe-west1:reminders:never-made",
}
FAULTS = [
    {},
    {"rate_limit_rate": 1.0, "retry_after": 1},
    {"unavailable_rate": 1.0, "unavailable_body": "json", "unavailable_retry_after": 2},
    {"unavailable_rate": 1.0, "unavailable_body": "html"},
    {"unavailable_rate": 1.0, "unavailable_body": "binary"},
    {"unavailable_rate": 1.0, "unavailable_body": "empty"},
]


class Recorder:
    def __init__(self) -> None:
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.exchanges.append((response.request, response))


@pytest.mark.parametrize("provider", sorted(HOSTS))
def test_requests_and_responses_conform(unsend_emulator: EmulatorFixture, provider: str) -> None:
    emu = unsend_emulator
    openapi = OpenAPI.from_file_path(str(SPECS / f"{provider}.yaml"))
    recorder = Recorder()
    client = httpx.Client(event_hooks={"response": [recorder]})
    canceller = unsend.Canceller(
        emu.provider(provider), client=client, retry=unsend.RetryPolicy.never()
    )
    scheduled = emu.seed(provider, count=2)
    delivered = emu.seed(provider, state="delivered")[0]
    for message_id in (scheduled[0], scheduled[0], delivered, UNKNOWN.get(provider, "unknown-id")):
        # An answer unsend does not read as an outcome is validated all the same.
        with contextlib.suppress(unsend.UnexpectedResponse):
            canceller.cancel(message_id)
    for faults in FAULTS[1:]:
        emu.set_faults(provider, **faults)
        with pytest.raises(unsend.UnsendError):
            canceller.cancel(scheduled[1])
    emu.clear_faults(provider)
    config = emu.config(provider)
    secret = next(
        k
        for k in ("token", "api_key", "auth_token", "secret", "api_token", "secret_access_key")
        if k in config
    )
    wrong = unsend.from_config({**config, secret: "x"}, client=client)
    wrong.retry = unsend.RetryPolicy.never()
    with pytest.raises(unsend.AuthenticationError):
        wrong.cancel(scheduled[1])

    statuses = set()
    for request, response in recorder.exchanges:
        openapi.validate_request(OpenAPIRequest(request, HOSTS[provider]))
        statuses.add(response.status_code)
        if response.status_code == 503 and not response.content:
            # The seeds allow an empty 503, which OpenAPI cannot say beside declared content.
            continue
        openapi.validate_response(
            OpenAPIRequest(request, HOSTS[provider]), OpenAPIResponse(response)
        )
    assert {429, 503} <= statuses
    # The refused credentials' exchange was validated above whatever its status: 401 or 403
    # for most, 200 with ok:false for Slack (the AuthenticationError itself is asserted above).
    # Four cancels, one per fault, one with wrong credentials; a provider whose refusal is
    # settled by a read adds it once (SendGrid's second cancel of a batch, Brevo's sent email).
    from unsend._provider import SupportsFollowUp

    reads = 1 if isinstance(canceller.provider, SupportsFollowUp) else 0
    assert len(recorder.exchanges) == 4 + len(FAULTS) - 1 + 1 + reads


def test_a_bad_body_fails_validation() -> None:
    """The check has teeth: a Courier record without its required fields is refused."""
    openapi = OpenAPI.from_file_path(str(SPECS / "courier.yaml"))
    request = unsend.Courier("t").cancel_request("1-abc")
    response = httpx.Response(200, json={"id": "1-abc"}, request=request)
    with pytest.raises(Exception, match=r"(?i)invalid|required"):
        openapi.validate_response(
            OpenAPIRequest(request, HOSTS["courier"]), OpenAPIResponse(response)
        )


def test_qstash_bulk_answers_conform(unsend_emulator: EmulatorFixture) -> None:
    openapi = OpenAPI.from_file_path(str(SPECS / "qstash.yaml"))
    emu = unsend_emulator
    emu.seed("qstash", count=3, fields={"label": "x"})
    headers = {"Authorization": f"Bearer {emu.credentials.qstash_token}"}
    with httpx.Client(base_url=emu.url, headers=headers) as http:
        answers = [http.delete("/v2/messages", params=[("label", "x"), ("count", "2")])]
        action = http.delete("/v2/messages", params={"label": "x", "async": "true"})
        answers.append(action)
        answers.append(http.get(f"/v2/bulkActions/{action.json()['actionId']}"))
        answers.append(http.get("/v2/bulkActions", params={"state": "FINISHED", "count": 1}))
        answers.append(http.get("/v2/bulkActions/bulk_unknown"))
        schedule = http.post("/v2/schedules/reminders", headers={"Upstash-Cron": "*/5 * * * *"})
        answers.append(schedule)
        answers.append(http.get(f"/v2/schedules/{schedule.json()['scheduleId']}"))
        answers.append(http.delete(f"/v2/schedules/{schedule.json()['scheduleId']}"))
        answers.append(http.delete("/v2/schedules/scd_unknown"))
    for response in answers:
        openapi.validate_request(OpenAPIRequest(response.request, HOSTS["qstash"]))
        openapi.validate_response(
            OpenAPIRequest(response.request, HOSTS["qstash"]), OpenAPIResponse(response)
        )


@pytest.mark.parametrize("provider", sorted(HOSTS))
def test_reads_and_checks_conform(unsend_emulator: EmulatorFixture, provider: str) -> None:
    """``check()`` and, where the provider documents one, ``status()`` in every state: their
    requests and the emulator's answers, validated against the same documents."""
    from unsend._provider import SupportsStatus

    emu = unsend_emulator
    openapi = OpenAPI.from_file_path(str(SPECS / f"{provider}.yaml"))
    recorder = Recorder()
    client = httpx.Client(event_hooks={"response": [recorder]})
    canceller = unsend.Canceller(
        emu.provider(provider), client=client, retry=unsend.RetryPolicy.never()
    )
    assert canceller.check().ok
    reads_sent = 1  # the check
    if isinstance(canceller.provider, SupportsStatus):
        scheduled, cancelled = emu.seed(provider, count=2)
        delivered = emu.seed(provider, state="delivered")[0]
        canceller.cancel(cancelled, confirm=True)  # the cancel, then its read
        for message_id in (scheduled, delivered, UNKNOWN.get(provider, "unknown-id")):
            canceller.status(message_id)
        reads_sent += 1 + 3  # the confirmation's read, and three statuses
    assert len(recorder.exchanges) == reads_sent + (1 if reads_sent > 1 else 0)  # + the cancel
    for request, response in recorder.exchanges:
        openapi.validate_request(OpenAPIRequest(request, HOSTS[provider]))
        openapi.validate_response(
            OpenAPIRequest(request, HOSTS[provider]), OpenAPIResponse(response)
        )
