"""Resend routes: send an email with ``scheduled_at``, read it, cancel it."""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated, retry_after
from .._shapes import error, unauthorized
from .._state import Message

if TYPE_CHECKING:
    from .._app import Emulator
    from .._faults import Decision

__all__ = ["EMULATED", "routes"]

P = "resend"
_IN = re.compile(r"^in (\d{1,6}) (minute|hour|day)s?$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def _delay(text: Any, now: float) -> float | None:
    if text is None:
        return 0.0
    if not isinstance(text, str):
        return None
    if match := _IN.match(text.strip().lower()):
        return int(match[1]) * _UNITS[match[2]]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if moment.tzinfo is None else moment.timestamp() - now


def email_json(m: Message) -> dict[str, Any]:
    event = {"scheduled": "scheduled", "cancelled": "canceled"}.get(m.state, "delivered")
    return {"object": "email", "id": m.id, "to": m.fields.get("to", []), "last_event": event}


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        expected = f"Bearer {emulator.credentials.resend_api_key}"
        return request.headers.get("authorization", "") == expected

    async def send(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P, request)
        try:
            body = parse_json(await request.body())
        except BadInput:
            return error(P, 422, "Invalid JSON body")
        if not isinstance(body, dict) or not all(body.get(k) for k in ("from", "to", "subject")):
            return error(P, 422, "from, to and subject are required")
        delay = _delay(body.get("scheduled_at"), emulator.clock.now())
        if delay is None or not 0 <= delay <= 30 * 86400:
            return error(P, 422, "scheduled_at must be a date up to 30 days ahead")
        to = body["to"] if isinstance(body["to"], list) else [body["to"]]
        message = store.add(P, delay=delay, fields={"to": [str(t) for t in to]})
        return JSONResponse({"id": message.id})

    async def get(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P, request)
        message = store.get(P, request.path_params["email_id"])
        if message is None:
            return error(P, 404, "Email not found")
        return JSONResponse(email_json(message))

    async def cancel(request: Request) -> Response:
        message = store.get(P, request.path_params["email_id"])
        if message is None:
            return error(P, 404, "Email not found")
        if message.state != "scheduled":
            # Not in Resend's reference: as its other validation errors (400), or another
            # reading a test plays (422, 409).
            status = int(emulator.reading(P, "not_scheduled_status"))
            return error(P, status, "Email is not scheduled and cannot be canceled")
        store.cancel(message)
        return JSONResponse({"object": "email", "id": message.id})

    return [
        route("/emails", POST=send),
        route("/emails/{email_id}", GET=get),
        route("/emails/{email_id}/cancel", POST=emulator.guarded(P, authorized, cancel)),
    ]


_NAMES = {
    401: "missing_api_key",
    403: "invalid_api_key",
    404: "not_found",
    429: "rate_limit_exceeded",
}


def _unauthorized(request: Request | None) -> Response:
    # Resend: 401 missing_api_key without a key, 403 invalid_api_key for a wrong one.
    if request is not None and request.headers.get("authorization"):
        return error(P, 403, "API key is invalid", kind="authentication_error")
    return error(P, 401, "Unauthorized", kind="authentication_error")


# Resend names a spent daily quota apart from a rate limit (shared/PROVIDERS.md: "do not
# retry soon"); the 429's text says which, and the body's name follows it.
_DAILY_QUOTA = "You have reached your daily email sending quota."


def _error_name(status: int, text: str) -> str:
    if status == 429 and text == _DAILY_QUOTA:
        return "daily_quota_exceeded"
    return _NAMES.get(status, "application_error")


def _rate_limit(decision: Decision, limit: int, now: float) -> tuple[str, dict[str, str]]:
    if decision.kind == "daily_quota":
        return _DAILY_QUOTA, {}
    headers = retry_after(decision, limit, now)[1]
    if decision.retry_after is not None:
        headers["ratelimit-limit"] = str(limit)
        headers["ratelimit-remaining"] = "0"
        headers["ratelimit-reset"] = str(math.ceil(decision.retry_after))
    return "Rate limit exceeded", headers


EMULATED = Emulated(
    name=P,
    credentials={"api_key": "re_emulator_key"},
    routes=routes,
    new_id=lambda: str(uuid.uuid4()),
    error_body=lambda status, text, kind: {
        "statusCode": status,
        "name": _error_name(status, text),
        "message": text,
    },
    rate_limit=_rate_limit,
    unauthorized=_unauthorized,
    readings={"not_scheduled_status": ("400", "422", "409")},
)
