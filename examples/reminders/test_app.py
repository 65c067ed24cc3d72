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


@pytest.mark.anyio
async def test_prometheus_scrapes_each_outcome_and_retry(
    service: httpx.AsyncClient, unsend_emulator: EmulatorFixture
) -> None:
    body = {"channel": "email", "to": "user-1", "delay_seconds": 600}
    reminders = [(await service.post("/reminders", json=body)).json() for _ in range(2)]
    unsend_emulator.set_faults("courier", rate_limit_rate=1.0, retry_after=1, max_faults=1)
    for reminder in reminders:
        await service.delete(f"/reminders/{reminder['id']}")
    await service.delete(f"/reminders/{reminders[0]['id']}")  # again: Courier says 409
    page = (await service.get("/metrics/")).text
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in page.splitlines()
        if line.startswith(("unsend_cancels_total", "unsend_retries_total"))
    }

    def sample(name: str, **labels: str) -> float:
        return sum(
            value
            for key, value in samples.items()
            if key.startswith(name + "{") and all(f'{k}="{v}"' in key for k, v in labels.items())
        )

    assert (
        sample("unsend_cancels_total", unsend_provider="courier", unsend_outcome="CANCELLED") == 2
    )
    assert sample("unsend_cancels_total", unsend_outcome="ALREADY_CANCELLED") == 1
    assert sample("unsend_retries_total", unsend_retry_reason="HTTP 429") == 1
    assert "unsend_cancel_duration_seconds_bucket" in page
