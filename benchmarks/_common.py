"""What every measurement shares: rounds with warm-up, medians, the compared providers' clients."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from unsend.testing import EmulatorFixture

# The providers the latency, deadline and throughput sections compare against a hand-written
# raw httpx request and the official SDK's call (each written per provider, below); every
# registered provider's own cancel is measured in the "every_provider" section.
PROVIDERS = ("qstash", "onesignal", "courier")


def median_of_rounds(run: Callable[[], float], *, rounds: int, warmup: int = 1) -> dict[str, Any]:
    """Call ``run`` (returning one measured value) ``warmup`` times unmeasured, then ``rounds``."""
    for _ in range(warmup):
        run()
    values = [run() for _ in range(rounds)]
    return {"median": statistics.median(values), "rounds": values}


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def raw_request(emu: EmulatorFixture, provider: str, message_id: str) -> dict[str, Any]:
    """The request a user of plain httpx would write for this cancel."""
    c = emu.credentials
    if provider == "qstash":
        return {
            "method": "DELETE",
            "url": f"{emu.url}/v2/messages/{message_id}",
            "headers": {"Authorization": f"Bearer {c.qstash_token}"},
        }
    if provider == "onesignal":
        return {
            "method": "DELETE",
            "url": f"{emu.url}/notifications/{message_id}",
            "params": {"app_id": c.onesignal_app_id},
            "headers": {"Authorization": f"Key {c.onesignal_api_key}"},
        }
    if provider == "courier":
        return {
            "method": "POST",
            "url": f"{emu.url}/messages/{message_id}/cancel",
            "headers": {"Authorization": f"Bearer {c.courier_token}"},
        }
    return _newer_request(emu, provider, message_id)


def _newer_request(emu: EmulatorFixture, provider: str, message_id: str) -> dict[str, Any]:
    import base64

    c = emu.credentials
    if provider == "twilio":
        basic = base64.b64encode(f"{c.twilio_account_sid}:{c.twilio_auth_token}".encode())
        path = f"/2010-04-01/Accounts/{c.twilio_account_sid}/Messages/{message_id}.json"
        return {
            "method": "POST",
            "url": emu.url + path,
            "data": {"Status": "canceled"},
            "headers": {"Authorization": f"Basic {basic.decode()}"},
        }
    if provider == "resend":
        return {
            "method": "POST",
            "url": f"{emu.url}/emails/{message_id}/cancel",
            "headers": {"Authorization": f"Bearer {c.resend_api_key}"},
        }
    if provider == "sendgrid":
        return {
            "method": "POST",
            "url": f"{emu.url}/v3/user/scheduled_sends",
            "json": {"batch_id": message_id, "status": "cancel"},
            "headers": {"Authorization": f"Bearer {c.sendgrid_api_key}"},
        }
    if provider == "knock":
        workflow, _, key = message_id.partition(":")
        return {
            "method": "POST",
            "url": f"{emu.url}/v1/workflows/{workflow}/cancel",
            "json": {"cancellation_key": key},
            "headers": {"Authorization": f"Bearer {c.knock_api_key}"},
        }
    return {
        "method": "DELETE",
        "url": f"{emu.url}/v1/events/trigger/{message_id}",
        "headers": {"Authorization": f"ApiKey {c.novu_api_key}"},
    }


def sdk_cancel(emu: EmulatorFixture, provider: str) -> Callable[[str], object]:
    """The official SDK's synchronous cancel, aimed at the emulator."""
    c = emu.credentials
    if provider == "qstash":
        from qstash import QStash

        client = QStash(c.qstash_token, base_url=emu.url, retry=False)
        return client.message.cancel
    if provider == "courier":
        from courier import Courier

        courier = Courier(api_key=c.courier_token, base_url=emu.url, max_retries=0)
        return courier.messages.cancel
    import onesignal
    from onesignal.api import default_api

    configuration = onesignal.Configuration(rest_api_key=c.onesignal_api_key, host=emu.url)
    configuration.connection_pool_maxsize = 64
    api = default_api.DefaultApi(onesignal.ApiClient(configuration))
    return lambda message_id: api.cancel_notification(c.onesignal_app_id, message_id)


def sdk_async_cancel(emu: EmulatorFixture, provider: str) -> tuple[Any, Any] | None:
    """The SDK's async cancel and how to close its client, where it has one (not OneSignal)."""
    c = emu.credentials
    if provider == "qstash":
        from qstash import AsyncQStash

        client = AsyncQStash(c.qstash_token, base_url=emu.url, retry=False)
        return client.message.cancel, client.http._client.aclose  # the SDK has no close()
    if provider == "courier":
        from courier import AsyncCourier

        courier = AsyncCourier(api_key=c.courier_token, base_url=emu.url, max_retries=0)
        return courier.messages.cancel, courier.close
    return None
