"""Novu routes: trigger an event (waiting in a delay step), cancel it by transaction id.

Answers are wrapped in ``{"data": …}`` as Novu's API wraps them (its SDK unwraps them). A cancel
answers ``true`` if the event was waiting, else ``false``: unknown, sent, or cancelled before.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated
from .._shapes import error, unauthorized

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "novu"


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        expected = f"ApiKey {emulator.credentials.novu_api_key}"
        return request.headers.get("authorization", "") == expected

    async def environment(request: Request) -> Response:
        """Get current environment (unsend's check); the key itself is never echoed here."""
        if not authorized(request):
            return unauthorized(P)
        data = {"_id": "emulated-env", "name": "Development", "identifier": "emulated"}
        return JSONResponse({"data": data})

    async def trigger(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        try:
            body: Any = parse_json(await request.body())
        except BadInput:
            return error(P, 400, "Invalid JSON body")
        if not isinstance(body, dict) or not body.get("name") or not body.get("to"):
            return error(P, 422, "name and to are required")
        transaction = body.get("transactionId") or str(uuid.uuid4())
        if not isinstance(transaction, str):
            return error(P, 422, "transactionId must be a string")
        payload = body.get("payload") if isinstance(body.get("payload"), dict) else {}
        delay = payload.get("delay_seconds", 3600) if isinstance(payload, dict) else 3600
        if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
            return error(P, 422, "payload.delay_seconds must be a number")
        if store.get(P, transaction) is None:  # a repeated transactionId is ignored, as Novu does
            store.add(P, message_id=transaction, delay=delay, fields={"workflow": body["name"]})
        answer = {"acknowledged": True, "status": "processed", "transactionId": transaction}
        return JSONResponse({"data": answer}, status_code=201)

    async def cancel(request: Request) -> Response:
        event = store.get(P, request.path_params["transaction_id"])
        waiting = event is not None and event.state == "scheduled"
        if event is not None and waiting:
            store.cancel(event)
        return JSONResponse({"data": waiting})

    return [
        route("/v1/environments/me", GET=environment),
        route("/v1/events/trigger", POST=trigger),
        route(
            "/v1/events/trigger/{transaction_id}", DELETE=emulator.guarded(P, authorized, cancel)
        ),
    ]


EMULATED = Emulated(
    name=P,
    credentials={"api_key": "emulator-novu-key"},
    routes=routes,
    new_id=lambda: str(uuid.uuid4()),
    error_body=lambda status, text, kind: {
        "statusCode": status,
        "message": text,
        "timestamp": "",
        "path": "",
    },
)
