"""Braze routes: create and delete message, campaign and Canvas schedules; list scheduled
broadcasts (unsend's check).

Braze documents no answer to a delete: the emulator answers ``{"message": "success"}`` for a
waiting schedule and, by default, for one it does not know or that already fired too (the
reading ``unknown_schedule``: ``success``; a test may play ``404`` or ``400``). A schedule is
held under the id unsend cancels: ``SCHEDULE_ID``, ``campaign:CAMPAIGN_ID:SCHEDULE_ID`` or
``canvas:CANVAS_ID:SCHEDULE_ID``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated
from .._shapes import error, unauthorized

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "braze"
KINDS = {"messages": None, "campaigns": "campaign", "canvas": "canvas"}


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        return (
            request.headers.get("authorization", "")
            == f"Bearer {emulator.credentials.braze_api_key}"
        )

    async def body_of(request: Request) -> dict[str, Any] | None:
        try:
            body = parse_json(await request.body())
        except BadInput:
            return None
        return body if isinstance(body, dict) else None

    def held_id(kind: str, body: dict[str, Any], schedule_id: str) -> str | None:
        owner = KINDS[kind]
        if owner is None:
            return schedule_id
        owner_id = body.get(f"{owner}_id")
        return f"{owner}:{owner_id}:{schedule_id}" if isinstance(owner_id, str) else None

    def create_for(kind: str) -> Any:
        async def create(request: Request) -> Response:
            if not authorized(request):
                return unauthorized(P)
            body = await body_of(request)
            schedule = body.get("schedule") if body else None
            when = schedule.get("time") if isinstance(schedule, dict) else None
            if body is None or not isinstance(when, str):
                return error(P, 400, "schedule.time is required")
            try:
                moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
            except ValueError:
                return error(P, 400, "schedule.time is not ISO 8601")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            schedule_id = uuid.uuid4().hex
            held = held_id(kind, body, schedule_id)
            if held is None:
                return error(P, 400, f"{KINDS[kind]}_id is required")
            delay = max(0.0, moment.timestamp() - emulator.clock.now())
            store.add(P, message_id=held, delay=delay)
            answer = {"dispatch_id": uuid.uuid4().hex, "schedule_id": schedule_id}
            return JSONResponse({**answer, "message": "success"}, status_code=201)

        return create

    def delete_for(kind: str) -> Any:
        async def delete(request: Request) -> Response:
            body = await body_of(request)
            schedule_id = body.get("schedule_id") if body else None
            if body is None or not isinstance(schedule_id, str):
                return error(P, 400, "schedule_id is required")
            held = held_id(kind, body, schedule_id)
            schedule = None if held is None else store.get(P, held)
            if schedule is not None and schedule.state == "scheduled":
                store.cancel(schedule)
                return JSONResponse({"message": "success"})
            reading = emulator.reading(P, "unknown_schedule")
            if reading == "success":
                return JSONResponse({"message": "success"})
            return error(P, int(reading), "schedule not found")

        return emulator.guarded(P, authorized, delete)

    async def broadcasts(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        return JSONResponse({"scheduled_broadcasts": [], "message": "success"})

    return [
        route("/messages/scheduled_broadcasts", GET=broadcasts),
        route("/messages/schedule/create", POST=create_for("messages")),
        route("/messages/schedule/delete", POST=delete_for("messages")),
        route("/campaigns/trigger/schedule/create", POST=create_for("campaigns")),
        route("/campaigns/trigger/schedule/delete", POST=delete_for("campaigns")),
        route("/canvas/trigger/schedule/create", POST=create_for("canvas")),
        route("/canvas/trigger/schedule/delete", POST=delete_for("canvas")),
    ]


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    when = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat()
    response = http.post(
        "/messages/schedule/create",
        headers={"Authorization": f"Bearer {credentials['api_key']}"},
        json={"broadcast": True, "schedule": {"time": when}, "messages": {}},
    )
    return str(response.raise_for_status().json()["schedule_id"])


EMULATED = Emulated(
    name=P,
    credentials={"api_key": "emulator-braze-rest-api-key"},
    routes=routes,
    new_id=lambda: uuid.uuid4().hex,
    error_body=lambda status, text, kind: {"message": text, "errors": [text]},
    readings={"unknown_schedule": ("success", "404", "400")},
    schedule=_schedule,
)
