"""Courier routes: send (with a delay), get a message, cancel it (200 or 409 with the record)."""

from __future__ import annotations

import secrets as _random
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated
from .._shapes import error, unauthorized
from .._state import Message

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "record", "routes"]

P = "courier"


def record(m: Message) -> dict[str, Any]:
    """The full ``MessageDetails`` of seed 004."""
    status = {"scheduled": "ENQUEUED", "cancelled": "CANCELED"}.get(
        m.state, m.fields.get("final_status", "SENT")
    )
    data: dict[str, Any] = {
        "id": m.id,
        "status": status,
        "enqueued": m.created_ms,
        "recipient": m.fields.get("recipient", "user-1"),
        "event": m.fields.get("event", "emulated-event"),
        "notification": m.fields.get("notification", "emulated-notification"),
        "error": None,
        "reason": None,
    }
    if m.state == "delivered" and m.settled_ms is not None:
        data["sent"] = m.settled_ms
        if status in ("DELIVERED", "OPENED", "CLICKED"):
            data["delivered"] = m.settled_ms
    if m.state == "delivered" and (reason := m.fields.get("reason")):
        data["reason"] = reason
    return data


def _delay_seconds(message: dict[str, Any], now: float) -> float | None:
    delay = message.get("delay")
    if delay is None:
        return 0.0
    if not isinstance(delay, dict):
        return None
    if isinstance(duration := delay.get("duration"), int | float) and duration >= 0:
        return duration / 1000
    if isinstance(until := delay.get("until"), str):
        try:
            moment = datetime.fromisoformat(until.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is not None:
            return max(0.0, moment.timestamp() - now)
    return None


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        expected = f"Bearer {emulator.credentials.courier_token}"
        return request.headers.get("authorization", "") == expected

    async def send(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        try:
            body: Any = parse_json(await request.body())
        except BadInput:
            return error(P, 400, "Invalid JSON body")
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict) or not isinstance(message.get("to"), dict):
            return error(P, 400, "message.to is required")
        delay = _delay_seconds(message, emulator.clock.now())
        if delay is None:
            return error(P, 400, "message.delay must have a duration (ms) or an until date")
        to = message["to"]
        fields = {
            "recipient": str(to.get("user_id") or to.get("email") or "anonymous"),
            "event": str(message.get("template") or "inline"),
            "notification": str(message.get("template") or "inline"),
        }
        created = store.add(P, delay=delay, fields=fields)
        return JSONResponse({"requestId": created.id}, status_code=202)

    async def get(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        message = store.get(P, request.path_params["message_id"])
        if message is None:
            return error(P, 404, "Message not found")
        return JSONResponse(record(message))

    async def cancel(request: Request) -> Response:
        message = store.get(P, request.path_params["message_id"])
        if message is None:
            return error(P, 404, "Message not found")
        if message.state != "scheduled":
            return JSONResponse(record(message), status_code=409)
        store.cancel(message)
        return JSONResponse(record(message))

    guarded_cancel = emulator.guarded(P, authorized, cancel)

    return [
        route("/send", POST=send),
        route("/messages/{message_id}", GET=get),
        route("/messages/{message_id}/cancel", POST=guarded_cancel),
    ]


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    response = http.post(
        "/send",
        headers={"Authorization": f"Bearer {credentials['token']}"},
        json={
            "message": {
                "to": {"user_id": "demo-user"},
                "template": "drip-day-2",
                "delay": {"duration": delay * 1000},
            }
        },
    )
    return str(response.raise_for_status().json()["requestId"])


EMULATED = Emulated(
    name=P,
    credentials={"token": "emulator-courier-token"},
    schedule=_schedule,
    routes=routes,
    new_id=lambda: "1-" + _random.token_hex(12),
)
