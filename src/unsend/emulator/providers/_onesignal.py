"""OneSignal routes: create a notification, view it, cancel it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated, retry_after
from .._shapes import error, unauthorized

if TYPE_CHECKING:
    from .._app import Emulator
    from .._faults import Decision

__all__ = ["EMULATED", "routes"]

P = "onesignal"


def _parse_send_after(text: str) -> float | None:
    """Unix seconds of OneSignal's ``send_after`` (ISO 8601 or an RFC 2822-style date)."""
    cleaned = text.strip().replace("UTC", "+00:00").replace("GMT", "")
    for parse in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            moment = parse(cleaned)
        except (TypeError, ValueError, IndexError):
            continue
        if moment.tzinfo is not None:
            return moment.timestamp()
    return None


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store
    creds = emulator.credentials

    def key_ok(request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Key {creds.onesignal_api_key}"

    async def create(request: Request) -> Response:
        if not key_ok(request):
            return unauthorized(P)
        try:
            body: Any = parse_json(await request.body())
        except BadInput:
            return error(P, 400, "Invalid JSON body")
        if not isinstance(body, dict) or body.get("app_id") != creds.onesignal_app_id:
            return error(P, 400, "app_id not found. You may be missing a Content-Type header.")
        delay = 0.0
        if (send_after := body.get("send_after")) is not None:
            moment = _parse_send_after(str(send_after))
            if moment is None:
                return error(P, 400, "send_after is not a valid date")
            delay = max(0.0, moment - emulator.clock.now())
        fields = {k: body[k] for k in ("contents", "headings", "name") if k in body}
        message = store.add(P, delay=delay, fields=fields)
        return JSONResponse({"id": message.id, "external_id": None})

    async def view(request: Request) -> Response:
        if not key_ok(request) or request.query_params.get("app_id") != creds.onesignal_app_id:
            return unauthorized(P)
        message = store.get(P, request.path_params["message_id"])
        if message is None:
            return error(P, 404, "Notification not found")
        return JSONResponse(
            {
                "id": message.id,
                "app_id": creds.onesignal_app_id,
                "canceled": message.state == "cancelled",
                "send_after": message.not_before_ms // 1000,
                "completed_at": message.settled_ms // 1000
                if message.state == "delivered" and message.settled_ms
                else None,
                "successful": 1 if message.state == "delivered" else 0,
            }
        )

    async def view_page(request: Request) -> Response:
        """View notifications: the newest first, ``limit`` of them (unsend's check reads one)."""
        if not key_ok(request) or request.query_params.get("app_id") != creds.onesignal_app_id:
            return unauthorized(P)
        try:
            limit = max(0, min(int(request.query_params.get("limit", "50")), 50))
        except ValueError:
            return error(P, 400, "limit must be a number")
        kept = list(store.messages.get(P, {}).values())
        messages = kept[-limit:] if limit else []
        listed = [{"id": m.id, "canceled": m.state == "cancelled"} for m in reversed(messages)]
        body = {"total_count": len(kept), "offset": 0, "limit": limit}
        return JSONResponse({**body, "notifications": listed})

    async def cancel(request: Request) -> Response:
        message = store.get(P, request.path_params["message_id"])
        if message is None:
            return error(P, 404, "Notification not found")
        if message.state == "delivered":
            return error(P, 400, "Notification has already been sent to all recipients")
        # Cancelling twice is answered as success: the notification will not be sent.
        store.cancel(message)
        return JSONResponse({"success": True})

    def cancel_allowed(request: Request) -> bool:
        return key_ok(request) and request.query_params.get("app_id") == creds.onesignal_app_id

    guarded_cancel = emulator.guarded(P, cancel_allowed, cancel)

    return [
        route("/notifications", GET=view_page, POST=create),
        route("/notifications/{message_id}", GET=view, DELETE=guarded_cancel),
    ]


def _unauthorized(request: Request | None) -> Response:
    body = {
        "errors": ["Access denied. Please include a valid App API key."],
        "reference": ["https://documentation.onesignal.com/docs/keys-and-ids"],
    }
    return JSONResponse(body, status_code=401)


def _rate_limit(decision: Decision, limit: int, now: float) -> tuple[str, dict[str, str]]:
    return "API rate limit exceeded", retry_after(decision, limit, now)[1]


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    send_after = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat()
    response = http.post(
        "/notifications",
        headers={"Authorization": f"Key {credentials['api_key']}"},
        json={
            "app_id": credentials["app_id"],
            "contents": {"en": "Your appointment"},
            "send_after": send_after,
        },
    )
    return str(response.raise_for_status().json()["id"])


EMULATED = Emulated(
    name=P,
    schedule=_schedule,
    credentials={
        "app_id": "00000000-0000-4000-8000-00000000a11d",
        "api_key": "emulator-onesignal-key",
    },
    routes=routes,
    new_id=lambda: str(uuid.uuid4()),
    error_body=lambda status, text, kind: {"errors": [text]},
    rate_limit=_rate_limit,
    unauthorized=_unauthorized,
)
