"""The official SDKs, unchanged but for their base URL, against the emulator.

Each schedules a message, cancels it successfully, and gets its own not-found error for an
unknown id. Where an SDK and the seeds disagree, the seeds win (noted per SDK below).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import unsend
from unsend.testing import EmulatorFixture


def test_qstash_sdk(unsend_emulator: EmulatorFixture) -> None:
    qstash = pytest.importorskip("qstash")
    from qstash.errors import QStashError

    emu = unsend_emulator
    client = qstash.QStash(emu.credentials.qstash_token, base_url=emu.url, retry=False)
    published = client.message.publish_json(
        url="https://example.com/hook", body={"remind": True}, delay="10m"
    )
    message_id = published.message_id
    assert client.message.get(message_id).url == "https://example.com/hook"
    client.message.cancel(message_id)
    assert emu.states("qstash")[message_id] == "cancelled"
    with pytest.raises(QStashError, match="404"):
        client.message.cancel("msg_unknown")
    # The SDK's cancel_many sends messageIds as a JSON body; seed 002 documents them as query
    # parameters. The emulator accepts both; unsend sends the documented form.
    second = client.message.publish_json(url="https://example.com/hook", body={}, delay="1h")
    assert client.message.cancel_many([second.message_id]) == 1


def test_courier_sdk(unsend_emulator: EmulatorFixture) -> None:
    courier = pytest.importorskip("courier")

    emu = unsend_emulator
    client = courier.Courier(api_key=emu.credentials.courier_token, base_url=emu.url, max_retries=0)
    sent = client.send.message(
        message={"to": {"user_id": "user-1"}, "template": "reminder", "delay": {"duration": 60_000}}
    )
    message_id = sent.request_id
    details = client.messages.cancel(message_id)
    assert (details.id, details.status) == (message_id, "CANCELED")
    assert emu.states("courier")[message_id] == "cancelled"
    with pytest.raises(courier.NotFoundError):
        client.messages.cancel("1-unknown")
    # A second cancel is a 409 with the record: an outcome, which the SDK raises as an error.
    with pytest.raises(courier.ConflictError):
        client.messages.cancel(message_id)


def test_onesignal_sdk(unsend_emulator: EmulatorFixture) -> None:
    onesignal = pytest.importorskip("onesignal")
    from onesignal.api import default_api
    from onesignal.exceptions import NotFoundException
    from onesignal.model.language_string_map import LanguageStringMap
    from onesignal.model.notification import Notification

    emu = unsend_emulator
    app_id = emu.credentials.onesignal_app_id
    configuration = onesignal.Configuration(
        rest_api_key=emu.credentials.onesignal_api_key, host=emu.url
    )
    with onesignal.ApiClient(configuration) as api_client:
        api = default_api.DefaultApi(api_client)
        notification = Notification(
            app_id=app_id,
            contents=LanguageStringMap(en="Your reminder"),
            included_segments=["Subscribed Users"],
            send_after=datetime.now(UTC) + timedelta(hours=1),
        )
        created = api.create_notification(notification)
        assert api.cancel_notification(app_id, created.id).success is True
        assert emu.states("onesignal")[created.id] == "cancelled"
        with pytest.raises(NotFoundException):
            api.cancel_notification(app_id, "00000000-0000-4000-8000-000000000000")


def test_twilio_sdk(unsend_emulator: EmulatorFixture) -> None:
    twilio_rest = pytest.importorskip("twilio.rest")
    from twilio.base.exceptions import TwilioRestException

    emu = unsend_emulator
    c = emu.credentials
    client = twilio_rest.Client(c.twilio_account_sid, c.twilio_auth_token)
    client.api.base_url = emu.url  # no documented setting; a public attribute of the domain
    message = client.messages.create(
        to="+15005550006",
        body="Your appointment is tomorrow",
        messaging_service_sid="MG" + "0" * 32,
        schedule_type="fixed",
        send_at=datetime.now(UTC) + timedelta(hours=2),
    )
    assert message.status == "scheduled"
    assert client.messages(message.sid).update(status="canceled").status == "canceled"
    assert emu.states("twilio")[message.sid] == "cancelled"
    with pytest.raises(TwilioRestException) as caught:
        client.messages("SM" + "f" * 32).update(status="canceled")
    assert caught.value.status == 404


def test_resend_sdk(unsend_emulator: EmulatorFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    resend = pytest.importorskip("resend")

    emu = unsend_emulator
    monkeypatch.setattr(resend, "api_key", emu.credentials.resend_api_key)
    monkeypatch.setattr(resend, "api_url", emu.url)
    sent = resend.Emails.send(
        {
            "from": "reminders@example.com",
            "to": ["user@example.com"],
            "subject": "Tomorrow",
            "html": "<p>See you</p>",
            "scheduled_at": "in 1 hour",
        }
    )
    email_id = sent["id"]
    assert resend.Emails.cancel(email_id=email_id)["id"] == email_id
    assert emu.states("resend")[email_id] == "cancelled"
    with pytest.raises(resend.exceptions.ResendError):
        resend.Emails.cancel(email_id="00000000-0000-4000-8000-000000000000")


def test_sendgrid_sdk(unsend_emulator: EmulatorFixture) -> None:
    sendgrid = pytest.importorskip("sendgrid")
    from python_http_client.exceptions import NotFoundError
    from sendgrid.helpers.mail import BatchId, Mail, SendAt

    emu = unsend_emulator
    client = sendgrid.SendGridAPIClient(api_key=emu.credentials.sendgrid_api_key, host=emu.url)
    batch_id = json.loads(client.client.mail.batch.post().body)["batch_id"]
    mail = Mail("reminders@example.com", "user@example.com", "Tomorrow", "<p>See you</p>")
    mail.batch_id = BatchId(batch_id)
    mail.send_at = SendAt(int(datetime.now(UTC).timestamp()) + 7200)
    assert client.send(mail).status_code == 202
    cancelled = client.client.user.scheduled_sends.post(
        request_body={"batch_id": batch_id, "status": "cancel"}
    )
    assert cancelled.status_code == 201
    assert emu.states("sendgrid")[batch_id] == "cancelled"
    with pytest.raises(NotFoundError):
        client.client.user.scheduled_sends.post(
            request_body={"batch_id": "no-such-batch", "status": "cancel"}
        )


def test_knock_sdk(unsend_emulator: EmulatorFixture) -> None:
    knockapi = pytest.importorskip("knockapi")

    emu = unsend_emulator
    client = knockapi.Knock(api_key=emu.credentials.knock_api_key, base_url=emu.url, max_retries=0)
    run = client.workflows.trigger("reminder", recipients=["user-1"], cancellation_key="appt-42")
    assert run.workflow_run_id
    assert emu.states("knock")["reminder:appt-42"] == "scheduled"
    client.workflows.cancel("reminder", cancellation_key="appt-42")
    assert emu.states("knock")["reminder:appt-42"] == "cancelled"


def test_novu_sdk(unsend_emulator: EmulatorFixture) -> None:
    novu_py = pytest.importorskip("novu_py")

    emu = unsend_emulator
    with novu_py.Novu(secret_key=emu.credentials.novu_api_key, server_url=emu.url) as client:
        triggered = client.trigger(
            trigger_event_request_dto={
                "workflow_id": "reminder",
                "to": "subscriber-1",
                "transaction_id": "txn-42",
                "payload": {"delay_seconds": 3600},
            }
        )
        assert triggered.result.transaction_id == "txn-42"
        assert client.cancel(transaction_id="txn-42").result is True
        assert emu.states("novu")["txn-42"] == "cancelled"
        assert client.cancel(transaction_id="txn-42").result is False  # nothing waiting now


def test_airship_sdk(unsend_emulator: EmulatorFixture) -> None:
    ua = pytest.importorskip("urbanairship")
    emu = unsend_emulator
    client = ua.BasicAuthClient(emu.credentials.airship_app_key, emu.credentials.airship_secret)
    client.urls = ua.urls.Urls(base_url=f"{emu.url}/api/")  # the library's documented seam
    push = ua.Push(client)
    push.audience = ua.all_
    push.notification = ua.notification(alert="Your appointment")
    push.device_types = ua.all_
    scheduled = ua.ScheduledPush(client)
    scheduled.schedule = ua.scheduled_time(datetime.now(UTC) + timedelta(hours=1))
    scheduled.push = push
    scheduled.send()
    schedule_id = scheduled.url.rstrip("/").rsplit("/", 1)[1]
    assert emu.states("airship")[schedule_id] == "scheduled"
    assert scheduled.cancel().status_code == 204
    assert emu.states("airship")[schedule_id] == "cancelled"
    with pytest.raises(ua.AirshipFailure) as again:
        scheduled.cancel()
    assert again.value.response.status_code == 404
    with unsend.Canceller(emu.provider("airship")) as canceller:  # and unsend agrees
        assert canceller.cancel(schedule_id).outcome is unsend.Outcome.NOT_FOUND


def test_brevo_sdk(unsend_emulator: EmulatorFixture) -> None:
    brevo = pytest.importorskip("brevo")

    emu = unsend_emulator
    client = brevo.Brevo(api_key=emu.credentials.brevo_api_key, base_url=f"{emu.url}/v3")
    sent = client.transactional_emails.send_transac_email(
        sender={"email": "reminders@example.com"},
        to=[{"email": "patient@example.com"}],
        subject="Your appointment",
        html_content="<p>Tomorrow at 10</p>",
        scheduled_at=datetime.now(UTC) + timedelta(hours=1),
    )
    message_id = sent.message_id
    assert emu.states("brevo")[message_id] == "scheduled"
    read = client.transactional_emails.get_scheduled_email_by_id(message_id)
    assert read.status == "queued"
    client.transactional_emails.delete_scheduled_email_by_id(message_id)
    assert emu.states("brevo")[message_id] == "cancelled"
    with pytest.raises(brevo.errors.NotFoundError):
        client.transactional_emails.delete_scheduled_email_by_id(message_id)
    with unsend.Canceller(emu.provider("brevo")) as canceller:  # and unsend agrees
        assert canceller.cancel(message_id).outcome is unsend.Outcome.NOT_FOUND


def test_slack_sdk(unsend_emulator: EmulatorFixture) -> None:
    slack_sdk = pytest.importorskip("slack_sdk")
    from slack_sdk.errors import SlackApiError

    emu = unsend_emulator
    client = slack_sdk.WebClient(token=emu.credentials.slack_token, base_url=f"{emu.url}/api/")
    post_at = int(datetime.now(UTC).timestamp()) + 3600
    scheduled = client.chat_scheduleMessage(channel="C0DEV0001", post_at=post_at, text="Standup")
    message_id = unsend.Slack.message_id(scheduled["channel"], scheduled["scheduled_message_id"])
    assert emu.states("slack")[message_id] == "scheduled"
    client.chat_deleteScheduledMessage(
        channel="C0DEV0001", scheduled_message_id=scheduled["scheduled_message_id"]
    )
    assert emu.states("slack")[message_id] == "cancelled"
    with pytest.raises(SlackApiError) as again:
        client.chat_deleteScheduledMessage(
            channel="C0DEV0001", scheduled_message_id=scheduled["scheduled_message_id"]
        )
    assert again.value.response["error"] == "invalid_scheduled_message_id"
    with unsend.Canceller(emu.provider("slack")) as canceller:  # and unsend agrees
        assert canceller.cancel(message_id).outcome is unsend.Outcome.NOT_FOUND


def test_mailchimp_transactional_sdk(unsend_emulator: EmulatorFixture) -> None:
    mailchimp = pytest.importorskip("mailchimp_transactional")
    from mailchimp_transactional.api_client import ApiClientError

    emu = unsend_emulator
    client = mailchimp.Client(emu.credentials.mailchimp_api_key)
    client.api_client.host = f"{emu.url}/api/1.3"  # a public attribute: the library's seam
    send_at = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    (sent,) = client.messages.send(
        {"message": {"to": [{"email": "patient@example.com"}], "subject": "Hi"}, "send_at": send_at}
    )
    assert sent["status"] == "scheduled"
    assert emu.states("mailchimp")[sent["_id"]] == "scheduled"
    cancelled = client.messages.cancel_scheduled({"id": sent["_id"]})
    assert cancelled["_id"] == sent["_id"]
    assert emu.states("mailchimp")[sent["_id"]] == "cancelled"
    with pytest.raises(ApiClientError) as again:
        client.messages.cancel_scheduled({"id": sent["_id"]})
    assert again.value.status_code == 404
    with unsend.Canceller(emu.provider("mailchimp")) as canceller:  # and unsend agrees
        assert canceller.cancel(sent["_id"]).outcome is unsend.Outcome.NOT_FOUND


def test_sinch_sdk(unsend_emulator: EmulatorFixture) -> None:
    sinch = pytest.importorskip("sinch")

    emu = unsend_emulator
    plan = emu.credentials.sinch_service_plan_id
    client = sinch.SinchClient(
        service_plan_id=plan, sms_api_token=emu.credentials.sinch_api_token, sms_region="us"
    )
    client.configuration.sms_domain_with_service_plan_id = emu.url  # the sheet's seam
    send_at = datetime.now(UTC) + timedelta(hours=1)
    batch = client.sms.batches.send(
        to=["15550100"], from_="12345", body="Your appointment", send_at=send_at
    )
    assert emu.states("sinch")[batch.id] == "scheduled"
    cancelled = client.sms.batches.cancel(batch_id=batch.id)
    assert cancelled.canceled is True
    assert emu.states("sinch")[batch.id] == "cancelled"
    with unsend.Canceller(emu.provider("sinch")) as canceller:  # unsend claims no more
        assert canceller.cancel(batch.id).outcome is unsend.Outcome.REQUESTED


def test_eventbridge_scheduler_boto3(unsend_emulator: EmulatorFixture) -> None:
    boto3 = pytest.importorskip("boto3")

    emu = unsend_emulator
    client = boto3.client(
        "scheduler",
        endpoint_url=emu.url,
        region_name="us-east-1",
        aws_access_key_id=emu.credentials.eventbridge_access_key_id,
        aws_secret_access_key=emu.credentials.eventbridge_secret_access_key,
    )
    when = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    client.create_schedule(
        Name="appt-42",
        ScheduleExpression=f"at({when})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:0:function:f", "RoleArn": "arn:aws:iam::0:role/r"},
        ActionAfterCompletion="DELETE",
    )
    assert emu.states("eventbridge")["default:appt-42"] == "scheduled"
    client.delete_schedule(Name="appt-42")
    assert emu.states("eventbridge")["default:appt-42"] == "cancelled"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_schedule(Name="appt-42")
    with unsend.Canceller(emu.provider("eventbridge")) as canceller:  # and unsend agrees
        assert canceller.cancel("appt-42").outcome is unsend.Outcome.NOT_FOUND


def test_cloud_tasks_sdk(unsend_emulator: EmulatorFixture) -> None:
    tasks_v2 = pytest.importorskip("google.cloud.tasks_v2")
    from google.auth.credentials import Credentials
    from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksRestTransport
    from google.protobuf import timestamp_pb2

    emu = unsend_emulator
    token = emu.credentials.cloudtasks_token

    class Fixed(Credentials):  # type: ignore[misc]
        """The emulator's development token, as google-auth credentials the library takes."""

        def __init__(self) -> None:
            super().__init__()
            self.token = token

        def refresh(self, request: object) -> None:
            self.token = token

        @property
        def valid(self) -> bool:
            return True

    host = emu.url.removeprefix("http://")
    transport = CloudTasksRestTransport(host=host, url_scheme="http", credentials=Fixed())
    client = tasks_v2.CloudTasksClient(transport=transport)
    parent = client.queue_path("unsend-dev", "europe-west1", "reminders")
    when = timestamp_pb2.Timestamp()
    when.FromDatetime(datetime.now(UTC) + timedelta(hours=1))
    name = f"{parent}/tasks/appt-42"
    client.create_task(parent=parent, task={"name": name, "schedule_time": when})
    message_id = unsend.CloudTasks.message_id(name)
    assert emu.states("cloudtasks")[message_id] == "scheduled"
    client.delete_task(name=name)
    assert emu.states("cloudtasks")[message_id] == "cancelled"
    from google.api_core.exceptions import NotFound

    with pytest.raises(NotFound):
        client.delete_task(name=name)
    with unsend.Canceller(emu.provider("cloudtasks")) as canceller:  # and unsend agrees
        assert canceller.cancel(message_id).outcome is unsend.Outcome.NOT_FOUND
