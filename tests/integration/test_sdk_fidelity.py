"""The official SDKs, unchanged but for their base URL, against the emulator.

Each schedules a message, cancels it successfully, and gets its own not-found error for an
unknown id. Where an SDK and the seeds disagree, the seeds win (noted per SDK below).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
