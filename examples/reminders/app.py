"""A small reminder service on unsend: schedule, cancel one by its ref, call off a campaign.

Providers come from the environment, one ``UNSEND_<NAME>_DSN`` per name (``Router.from_env``):
here ``webhooks`` (QStash: delayed webhook calls) and ``email`` (Courier). The service stores
the ``MessageRef`` of each reminder next to it; cancelling goes through the name it was stored
under, so switching the provider behind a name later never strands a stored ref.

Prometheus scrapes ``/metrics``: unsend's metrics (cancels by provider and outcome, their
durations, retries, waits for the shared gate) through OpenTelemetry's Prometheus exporter.

Run: ``UNSEND_WEBHOOKS_DSN=... UNSEND_EMAIL_DSN=... uvicorn app:app`` (``unsend emulator`` prints
DSNs that work locally).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import httpx
from fastapi import FastAPI, HTTPException
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client import CollectorRegistry, make_asgi_app
from pydantic import BaseModel
from starlette.types import ASGIApp

import unsend


class ReminderIn(BaseModel):
    channel: Literal["webhooks", "email"]
    to: str  # a URL for webhooks, a Courier user id for email
    delay_seconds: int
    campaign: str | None = None


class Reminder(BaseModel):
    id: str
    ref: str
    campaign: str | None
    state: str = "scheduled"


class Store:
    """The service's own database, in memory for the example."""

    def __init__(self) -> None:
        self.reminders: dict[str, Reminder] = {}


async def schedule(router: unsend.AsyncRouter, http: httpx.AsyncClient, data: ReminderIn) -> str:
    """Send through the provider configured under the channel's name; its message id back."""
    provider = router.provider(data.channel)
    if isinstance(provider, unsend.QStash):
        response = await http.post(
            f"{provider.base_url}/v2/publish/{data.to}",
            headers={
                "Authorization": f"Bearer {provider.token}",
                "Upstash-Delay": f"{data.delay_seconds}s",
            },
            json={"reminder": True},
        )
        response.raise_for_status()
        return str(response.json()["messageId"])
    if isinstance(provider, unsend.Courier):
        response = await http.post(
            f"{provider.base_url}/send",
            headers={"Authorization": f"Bearer {provider.token}"},
            json={
                "message": {
                    "to": {"user_id": data.to},
                    "template": "reminder",
                    "delay": {"duration": data.delay_seconds * 1000},
                }
            },
        )
        response.raise_for_status()
        return str(response.json()["requestId"])
    raise HTTPException(500, f"no sender for {type(provider).__name__}")


def prometheus_endpoint() -> ASGIApp:
    """unsend's metrics as Prometheus text. A service exporting other metrics too would set
    OpenTelemetry's global MeterProvider instead; unsend records to that one by default."""
    registry = CollectorRegistry()
    reader = PrometheusMetricReader(registry=registry)
    unsend.configure_telemetry(meter_provider=MeterProvider(metric_readers=[reader]))
    return make_asgi_app(registry=registry)


def create_app(router: unsend.AsyncRouter | None = None) -> FastAPI:
    store = Store()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.router = router or unsend.AsyncRouter.from_env()
        async with app.state.router, httpx.AsyncClient(timeout=10) as http:
            app.state.http = http
            yield

    app = FastAPI(lifespan=lifespan)
    app.mount("/metrics", prometheus_endpoint())

    @app.post("/reminders", status_code=201)
    async def create(data: ReminderIn) -> Reminder:
        message_id = await schedule(app.state.router, app.state.http, data)
        ref = app.state.router.ref(data.channel, message_id)
        reminder = Reminder(id=secrets.token_hex(6), ref=str(ref), campaign=data.campaign)
        store.reminders[reminder.id] = reminder
        return reminder

    @app.delete("/reminders/{reminder_id}")
    async def cancel(reminder_id: str) -> dict[str, object]:
        reminder = store.reminders.get(reminder_id)
        if reminder is None:
            raise HTTPException(404, "no such reminder")
        try:
            result = await app.state.router.cancel(reminder.ref)
        except unsend.UnsendError as error:
            raise HTTPException(502, f"could not cancel: {error}") from None
        if result.cancelled:
            reminder.state = "cancelled"
        return result.to_dict()

    @app.post("/campaigns/{campaign}/cancel")
    async def call_off(campaign: str) -> dict[str, object]:
        chosen = [r for r in store.reminders.values() if r.campaign == campaign]
        by_ref = {r.ref: r for r in chosen}
        outcomes: dict[str, int] = {}
        async for result in app.state.router.cancel_many(list(by_ref), concurrency=8):
            outcomes[result.outcome.name] = outcomes.get(result.outcome.name, 0) + 1
            if result.cancelled:
                by_ref[str(result.ref)].state = "cancelled"
        return {"campaign": campaign, "reminders": len(chosen), "outcomes": outcomes}

    return app


app = create_app()
