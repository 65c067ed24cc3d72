"""The example service, tested as its users would: on the emulator fixture, no real provider."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

import unsend
from unsend.testing import EmulatorFixture

pytest.importorskip("fastapi")

from app import create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def service(unsend_emulator: EmulatorFixture) -> AsyncIterator[httpx.AsyncClient]:
    emu = unsend_emulator
    router = unsend.AsyncRouter.from_env(
        environ={
            "UNSEND_WEBHOOKS_DSN": emu.dsn("qstash"),
            "UNSEND_EMAIL_DSN": emu.dsn("courier"),
        },
        clock=unsend.testing.FakeClock(),  # retries wait on it: the tests never sleep
    )
    app = create_app(router)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def provider_id(ref: str) -> str:
    return unsend.MessageRef.parse(ref).message_id


@pytest.mark.anyio
async def test_schedule_then_cancel_one(
    service: httpx.AsyncClient, unsend_emulator: EmulatorFixture
) -> None:
    created = await service.post(
        "/reminders",
        json={"channel": "webhooks", "to": "https://example.com/hook", "delay_seconds": 600},
    )
    assert created.status_code == 201, created.text
    reminder = created.json()
    assert reminder["ref"].startswith("webhooks:msg_")
    cancelled = await service.delete(f"/reminders/{reminder['id']}")
    assert cancelled.json()["outcome"] == "CANCELLED"
    assert cancelled.json()["ref"] == reminder["ref"]
    assert unsend_emulator.states("qstash")[provider_id(reminder["ref"])] == "cancelled"


@pytest.mark.anyio
async def test_call_off_a_campaign_across_providers_with_faults(
    service: httpx.AsyncClient, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    refs = []
    for i in range(12):
        channel = "email" if i % 2 else "webhooks"
        to = f"user-{i}" if channel == "email" else f"https://example.com/{i}"
        body = {"channel": channel, "to": to, "delay_seconds": 3600, "campaign": "black-friday"}
        refs.append((await service.post("/reminders", json=body)).json()["ref"])
    other = {"channel": "email", "to": "user-x", "delay_seconds": 3600, "campaign": "other"}
    kept = (await service.post("/reminders", json=other)).json()["ref"]
    emu.set_faults("courier", rate_limit_rate=1.0, retry_after=1, max_faults=3)
    answer = (await service.post("/campaigns/black-friday/cancel")).json()
    assert answer["reminders"] == 12
    assert answer["outcomes"] == {"CANCELLED": 12}
    states = {**emu.states("qstash"), **emu.states("courier")}
    assert all(states[provider_id(ref)] == "cancelled" for ref in refs)
    assert states[provider_id(kept)] == "scheduled"
    assert emu.stats()["courier"]["429"] == 3  # the 429s were retried, not reported
