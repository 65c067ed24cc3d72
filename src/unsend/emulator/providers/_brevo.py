"""Brevo routes: send (scheduled) transactional email, delete it by messageId or batchId, read
its status, and the account (unsend's check).

``DELETE /v3/smtp/email/{identifier}`` answers 204 for waiting email(s), 404
``document_not_found`` for an identifier Brevo does not know or no longer holds as scheduled.
For an email already sent Brevo documents nothing: 400 by default (the reading
``already_sent_status``; a test may play 404). The status read answers ``queued`` or
``processed`` for a messageId, ``{"count", "batches"}`` for a batchId, 404 once deleted.
"""

from __future__ import annotations

import math
import secrets as _random
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
from .._state import Message

if TYPE_CHECKING:
    from .._app import Emulator
    from .._faults import Decision

__all__ = ["EMULATED", "routes"]

P = "brevo"


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        return request.headers.get("api-key", "") == emulator.credentials.brevo_api_key

    def matching(identifier: str) -> list[Message]:
        found = store.get(P, identifier)
        if found is not None:
            return [found]
        return [
            m for m in store.messages.get(P, {}).values() if m.fields.get("batch") == identifier
        ]

    async def send(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        try:
            body: Any = parse_json(await request.body())
        except BadInput:
            return error(P, 400, "Invalid JSON", kind="bad_request")
        if not isinstance(body, dict) or not body.get("to") or not body.get("sender"):
            return error(P, 400, "sender and to are required", kind="missing_parameter")
        delay = 0.0
        if (when := body.get("scheduledAt")) is not None:
            try:
                moment = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
            except ValueError:
                return error(P, 400, "scheduledAt is not a valid date", kind="invalid_parameter")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            delay = max(0.0, moment.timestamp() - emulator.clock.now())
        batch = body.get("batchId") or (str(uuid.uuid4()) if when is not None else None)
        message = store.add(P, delay=delay, fields={"batch": batch} if batch else {})
        return JSONResponse({"messageId": message.id}, status_code=201)

    async def email_status(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        identifier = request.path_params["identifier"]
        found = [m for m in matching(identifier) if m.state != "cancelled"]
        if not found:
            return error(P, 404, "Scheduled email not found", kind="document_not_found")

        def entry(m: Message) -> dict[str, Any]:
            word = "queued" if m.state == "scheduled" else "processed"
            return {
                "scheduledAt": _iso(m.not_before_ms),
                "createdAt": _iso(m.created_ms),
                "status": word,
            }

        if store.get(P, identifier) is not None:
            return JSONResponse(entry(found[0]))
        return JSONResponse({"count": len(found), "batches": [entry(m) for m in found]})

    async def account(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        return JSONResponse({"email": "developer@emulator.invalid", "companyName": "Emulator"})

    async def cancel(request: Request) -> Response:
        found = matching(request.path_params["identifier"])
        waiting = [m for m in found if m.state == "scheduled"]
        if waiting:
            for message in waiting:
                store.cancel(message)
            return Response(status_code=204)
        if any(m.state == "delivered" for m in found):
            status = int(emulator.reading(P, "already_sent_status"))
            return error(P, status, "The email has already been sent", kind="invalid_parameter")
        return error(P, 404, "Scheduled email not found", kind="document_not_found")

    return [
        route("/v3/account", GET=account),
        route("/v3/smtp/email", POST=send),
        route("/v3/smtp/email/{identifier}", DELETE=emulator.guarded(P, authorized, cancel)),
        route("/v3/smtp/emailStatus/{identifier}", GET=email_status),
    ]


def _rate_limit(decision: Decision, limit: int, now: float) -> tuple[str, dict[str, str]]:
    headers = {"x-sib-ratelimit-limit": str(limit), "x-sib-ratelimit-remaining": "0"}
    if decision.retry_after is not None:
        headers["x-sib-ratelimit-reset"] = str(math.ceil(decision.retry_after))
    return "Too many requests", headers


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    when = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat()
    response = http.post(
        "/v3/smtp/email",
        headers={"api-key": credentials["api_key"]},
        json={
            "sender": {"email": "reminders@example.com"},
            "to": [{"email": "patient@example.com"}],
            "subject": "Your appointment",
            "htmlContent": "<p>Tomorrow at 10</p>",
            "scheduledAt": when,
        },
    )
    return str(response.raise_for_status().json()["messageId"])


EMULATED = Emulated(
    name=P,
    credentials={"api_key": "xkeysib-emulator-brevo-key"},
    routes=routes,
    new_id=lambda: f"<{_random.token_hex(12)}@relay.example.com>",
    error_body=lambda status, text, kind: {
        "code": "unauthorized" if status == 401 else kind,
        "message": text,
    },
    rate_limit=_rate_limit,
    readings={"already_sent_status": ("400", "404")},
    schedule=_schedule,
)
