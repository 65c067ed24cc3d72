"""Twilio routes: schedule a message (Messaging Service, ``SendAt``), read it, cancel it."""

from __future__ import annotations

import base64
import secrets as _random
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import form_of, route
from .._kit import Emulated
from .._shapes import error, unauthorized
from .._state import Message

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "twilio"
BASE = "/2010-04-01/Accounts/{account_sid}/Messages"


def _status(m: Message) -> str:
    return {"scheduled": "scheduled", "cancelled": "canceled"}.get(m.state, "delivered")


def message_json(m: Message, account_sid: str) -> dict[str, Any]:
    created = datetime.fromtimestamp(m.created_ms / 1000, tz=UTC)
    return {
        "sid": m.id,
        "account_sid": account_sid,
        "messaging_service_sid": m.fields.get("service"),
        "to": m.fields.get("to", ""),
        "from": None,
        "body": m.fields.get("body", ""),
        "status": _status(m),
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "date_created": format_datetime(created),
        "date_updated": format_datetime(created),
        "date_sent": None,
        "error_code": None,
        "error_message": None,
        "price": None,
        "price_unit": "USD",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{m.id}.json",
        "subresource_uris": {},
    }


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        c = emulator.credentials
        expected = base64.b64encode(f"{c.twilio_account_sid}:{c.twilio_auth_token}".encode())
        own = request.path_params.get("account_sid") == c.twilio_account_sid
        return own and request.headers.get("authorization", "") == f"Basic {expected.decode()}"

    async def account(request: Request) -> Response:
        """Fetch Account: what unsend's check reads."""
        if not authorized(request):
            return unauthorized(P)
        sid = request.path_params["account_sid"]
        return JSONResponse({"sid": sid, "status": "active", "type": "Full"})

    async def create(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        form = await form_of(request)
        if not form.get("To") or not form.get("MessagingServiceSid"):
            return error(P, 400, "To and MessagingServiceSid are required")
        delay = 0.0
        if form.get("ScheduleType") == "fixed":
            try:
                send_at = datetime.fromisoformat(str(form.get("SendAt", "")).replace("Z", "+00:00"))
            except ValueError:
                return error(P, 400, "SendAt must be ISO-8601")
            if send_at.tzinfo is None:
                return error(P, 400, "SendAt must be in UTC")
            delay = send_at.timestamp() - emulator.clock.now()
            if not 900 <= delay <= 35 * 86400:  # 15 minutes to 35 days, as documented
                return error(P, 400, "SendAt must be 15 minutes to 35 days ahead")
        fields = {
            "to": str(form["To"]),
            "body": str(form.get("Body", "")),
            "service": str(form["MessagingServiceSid"]),
        }
        message = store.add(P, delay=delay, fields=fields)
        return JSONResponse(
            message_json(message, request.path_params["account_sid"]), status_code=201
        )

    async def get(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        message = store.get(P, request.path_params["sid"])
        if message is None:
            return error(P, 404, "The requested resource was not found")
        return JSONResponse(message_json(message, request.path_params["account_sid"]))

    async def update(request: Request) -> Response:
        form = await form_of(request)
        if form.get("Status") != "canceled":
            return error(P, 400, "Status may only be canceled")
        message = store.get(P, request.path_params["sid"])
        if message is None:
            return error(P, 404, "The requested resource was not found")
        if message.state != "scheduled":
            # Code 30409; its HTTP status is undocumented: 400 unless a test plays another.
            status = int(emulator.reading(P, "no_longer_scheduled_status"))
            return JSONResponse(
                {
                    "code": 30409,
                    "message": "Message is no longer scheduled and cannot be canceled",
                    "more_info": "https://www.twilio.com/docs/errors/30409",
                    "status": status,
                },
                status_code=status,
            )
        store.cancel(message)
        return JSONResponse(message_json(message, request.path_params["account_sid"]))

    return [
        route("/2010-04-01/Accounts/{account_sid}.json", GET=account),
        route(f"{BASE}.json", POST=create),
        route(BASE + "/{sid}.json", GET=get, POST=emulator.guarded(P, authorized, update)),
    ]


def _error_body(status: int, text: str, kind: str) -> Any:
    code = {401: 20003, 404: 20404, 429: 20429}.get(status, 20001)
    return {
        "code": code,
        "message": text,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


EMULATED = Emulated(
    name=P,
    credentials={"account_sid": "AC" + "0" * 31 + "1", "auth_token": "emulator-twilio-token"},
    routes=routes,
    new_id=lambda: "SM" + _random.token_hex(16),
    error_body=_error_body,
    # Twilio documents no Retry-After for this API: backoff decides.
    rate_limit=lambda decision, limit, now: ("Rate limit exceeded", {}),
    readings={"no_longer_scheduled_status": ("400", "409", "422")},
)
