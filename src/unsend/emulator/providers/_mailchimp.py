"""Mailchimp Transactional (Mandrill) routes: send (scheduled) email, cancel a scheduled one,
users/ping (unsend's check).

Every call is a POST whose JSON body carries the key. The paths are served in both forms
Mandrill has: ``/api/1.4/<method>`` (its OpenAPI 3 document, unsend's) and
``/api/1.3/<method>.json`` (its Python library's). Cancelling an unknown id, or one no longer
scheduled (sent, cancelled before: undocumented, presumably the same), answers 404
``Unknown_Message``.
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "mailchimp"
CODES = {400: (-2, "ValidationError"), 401: (-1, "Invalid_Key"), 404: (11, "Unknown_Message")}


def _error(status: int, text: str, name: str | None = None, code: int | None = None) -> Response:
    known_code, known_name = CODES.get(status, (-1, "GeneralError"))
    body = {
        "status": "error",
        "code": code if code is not None else known_code,
        "name": name or known_name,
        "message": text,
    }
    return JSONResponse(body, status_code=status)


def _id() -> str:
    return _random.token_urlsafe(16)[:22]


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    async def body_of(request: Request) -> dict[str, Any] | None:
        try:
            body = parse_json(await request.body())
        except BadInput:
            return None
        if not isinstance(body, dict) or body.get("key") != emulator.credentials.mailchimp_api_key:
            return None
        return body

    async def send(request: Request) -> Response:
        body = await body_of(request)
        if body is None:
            return _error(401, "Invalid API key")
        message = body.get("message") if isinstance(body.get("message"), dict) else {}
        recipients = message.get("to") if isinstance(message, dict) else None
        if not isinstance(recipients, list) or not recipients:
            return _error(400, "message.to is required")
        delay = 0.0
        if (when := body.get("send_at")) is not None:
            try:
                moment = datetime.strptime(str(when), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                return _error(400, "send_at must be YYYY-MM-DD HH:MM:SS")
            delay = max(0.0, moment.timestamp() - emulator.clock.now())
        answers = []
        for recipient in recipients:
            email = recipient.get("email", "") if isinstance(recipient, dict) else ""
            held = store.add(P, message_id=_id(), delay=delay, fields={"to": email})
            state = "scheduled" if delay else "sent"
            answers.append({"email": email, "status": state, "_id": held.id})
        return JSONResponse(answers)

    async def cancel(request: Request) -> Response:
        body = await body_of(request)
        if body is None:
            return _error(401, "Invalid API key")
        message = store.get(P, str(body.get("id", "")))
        if message is None or message.state != "scheduled":
            return _error(404, "No message exists with the id")
        store.cancel(message)
        return JSONResponse(
            {
                "_id": message.id,
                "created_at": message.created_ms // 1000,
                "send_at": message.not_before_ms // 1000,
                "from_email": "reminders@example.com",
                "to": message.fields.get("to", ""),
                "subject": "Your appointment",
            }
        )

    async def list_scheduled(request: Request) -> Response:
        if await body_of(request) is None:
            return _error(401, "Invalid API key")
        waiting = [m for m in store.messages.get(P, {}).values() if m.state == "scheduled"]
        return JSONResponse(
            [
                {
                    "_id": m.id,
                    "created_at": m.created_ms // 1000,
                    "send_at": m.not_before_ms // 1000,
                    "from_email": "reminders@example.com",
                    "to": m.fields.get("to", ""),
                    "subject": "Your appointment",
                }
                for m in waiting[:1000]
            ]
        )

    async def ping(request: Request) -> Response:
        if await body_of(request) is None:
            return _error(401, "Invalid API key")
        return JSONResponse("PONG!")

    guarded = emulator.guarded(P, lambda request: True, cancel)  # the key is in the body
    return [
        route("/api/1.4/messages/send", POST=send),
        route("/api/1.4/messages/cancel-scheduled", POST=guarded),
        route("/api/1.4/users/ping", POST=ping),
        route("/api/1.4/messages/list-scheduled", POST=list_scheduled),
        route("/api/1.3/messages/list-scheduled.json", POST=list_scheduled),
        route("/api/1.3/messages/send.json", POST=send),
        route("/api/1.3/messages/cancel-scheduled.json", POST=guarded),
        route("/api/1.3/users/ping.json", POST=ping),
    ]


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    when = (datetime.now(UTC) + timedelta(seconds=delay)).strftime("%Y-%m-%d %H:%M:%S")
    response = http.post(
        "/api/1.4/messages/send",
        json={
            "key": credentials["api_key"],
            "message": {"subject": "Your appointment", "to": [{"email": "patient@example.com"}]},
            "send_at": when,
        },
    )
    return str(response.raise_for_status().json()[0]["_id"])


EMULATED = Emulated(
    name=P,
    credentials={"api_key": "md-emulator-mailchimp-key"},
    routes=routes,
    new_id=_id,
    error_body=lambda status, text, kind: {
        "status": "error",
        "code": CODES.get(status, (-1, "GeneralError"))[0],
        "name": CODES.get(status, (-1, "GeneralError"))[1],
        "message": text,
    },
    unauthorized=lambda request: _error(401, "Invalid API key"),
)
