"""Airship routes: create a push schedule, list schedules, delete one.

``DELETE /api/schedules/{id}`` answers 204 with no body for a waiting schedule, 404 with
Airship's error object for an unknown one. What it answers for a one-time schedule that already
fired is undocumented; the emulator answers 404, as for a schedule Airship no longer keeps.
Credentials: Basic ``app_key:master_secret``, or ``Bearer <secret>`` with the app key
in ``X-UA-Appkey``; a refusal is 401 in plain text, as Airship's is.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated
from .._shapes import error, unauthorized

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "airship"
MEDIA = "application/vnd.urbanairship+json; version=3"


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        c = emulator.credentials
        given = request.headers.get("authorization", "")
        basic = base64.b64encode(f"{c.airship_app_key}:{c.airship_secret}".encode()).decode()
        if given == f"Basic {basic}":
            return True
        app_key = request.headers.get("x-ua-appkey", "")
        return given == f"Bearer {c.airship_secret}" and app_key == c.airship_app_key

    def schedule_url(request: Request, schedule_id: str) -> str:
        return f"{str(request.base_url).rstrip('/')}/api/schedules/{schedule_id}"

    async def create(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        try:
            body: Any = parse_json(await request.body())
        except BadInput:
            return error(P, 400, "Could not parse request body")
        entries = body if isinstance(body, list) else [body]
        ids = []
        for entry in entries:
            schedule = entry.get("schedule") if isinstance(entry, dict) else None
            when = schedule.get("scheduled_time") if isinstance(schedule, dict) else None
            if not isinstance(when, str) or "push" not in entry:
                return error(P, 400, "schedule.scheduled_time and push are required")
            try:
                moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
            except ValueError:
                return error(P, 400, "scheduled_time is not an ISO 8601 time")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            delay = max(0.0, moment.timestamp() - emulator.clock.now())
            ids.append(store.add(P, delay=delay, fields={"name": entry.get("name", "")}).id)
        urls = [schedule_url(request, i) for i in ids]
        answer = {"ok": True, "schedule_urls": urls, "schedule_ids": ids}
        return JSONResponse(answer, status_code=201, media_type=MEDIA)

    async def list_schedules(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        waiting = [m for m in store.messages.get(P, {}).values() if m.state == "scheduled"]
        listed = [
            {"url": schedule_url(request, m.id), "name": m.fields.get("name", "")}
            for m in waiting[:1000]
        ]
        body = {"ok": True, "count": len(listed), "total_count": len(waiting), "schedules": listed}
        return JSONResponse(body, media_type=MEDIA)

    async def cancel(request: Request) -> Response:
        schedule = store.get(P, request.path_params["schedule_id"])
        if schedule is None or schedule.state != "scheduled":
            return error(P, 404, "Could not find schedule")
        store.cancel(schedule)
        return Response(status_code=204)

    return [
        route("/api/schedules", GET=list_schedules, POST=create),
        route("/api/schedules/", GET=list_schedules, POST=create),  # as Airship's library sends
        route("/api/schedules/{schedule_id}", DELETE=emulator.guarded(P, authorized, cancel)),
    ]


def _error_body(status: int, text: str, kind: str) -> Any:
    return {"ok": False, "error": text, "error_code": status * 100, "details": {"error": text}}


def _unauthorized(request: Request | None) -> Response:
    return PlainTextResponse("Unauthorized", status_code=401)


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    basic = base64.b64encode(f"{credentials['app_key']}:{credentials['secret']}".encode())
    when = (datetime.now(UTC) + timedelta(seconds=delay)).strftime("%Y-%m-%dT%H:%M:%S")
    response = http.post(
        "/api/schedules",
        headers={"Authorization": f"Basic {basic.decode()}", "Accept": MEDIA},
        json={
            "name": "reminder",
            "schedule": {"scheduled_time": when},
            "push": {
                "audience": "all",
                "notification": {"alert": "Your appointment"},
                "device_types": "all",
            },
        },
    )
    return str(response.raise_for_status().json()["schedule_ids"][0])


EMULATED = Emulated(
    name=P,
    credentials={"app_key": "emulatorairshipappkey0", "secret": "emulatorairshipsecret0"},
    routes=routes,
    new_id=lambda: str(uuid.uuid4()),
    error_body=_error_body,
    unauthorized=_unauthorized,
)
