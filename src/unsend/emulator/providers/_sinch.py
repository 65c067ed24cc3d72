"""Sinch SMS routes: send a (scheduled) batch, cancel it, read its delivery report, list
batches (unsend's check), under ``/xms/v1/{service_plan_id}``.

A cancel answers 200 with the batch marked ``canceled: true`` whether or not it was already
sent (Sinch allows a cancel "at any point"; inferred): only a scheduled batch is really
stopped. Its delivery report is empty while it waits and once cancelled, and lists its messages
``Delivered`` once sent. An unknown batch is undocumented: 404 by default (the reading
``unknown_batch_status``; a test may play 400).
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
from .._shapes import error, unauthorized
from .._state import Message

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "sinch"
BASE = "/xms/v1/{plan}/batches"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's, as Sinch's ULID-like ids


def _new_id() -> str:
    return "01" + "".join(_random.choice(_ALPHABET) for _ in range(24))


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        c = emulator.credentials
        own = request.path_params.get("plan") == c.sinch_service_plan_id
        return own and request.headers.get("authorization", "") == f"Bearer {c.sinch_api_token}"

    def batch_json(m: Message) -> dict[str, Any]:
        return {
            "id": m.id,
            "type": "mt_text",
            "to": m.fields.get("to", ["15550100"]),
            "from": "12345",
            "body": m.fields.get("body", ""),
            "send_at": _iso(m.not_before_ms),
            "created_at": _iso(m.created_ms),
            "canceled": bool(m.fields.get("canceled")) or m.state == "cancelled",
        }

    async def send(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        try:
            body: Any = parse_json(await request.body())
        except BadInput:
            return error(P, 400, "Invalid JSON", kind="syntax_invalid_json")
        if not isinstance(body, dict) or not body.get("to") or "body" not in body:
            return error(P, 400, "to and body are required", kind="syntax_constraint_violation")
        delay = 0.0
        if (when := body.get("send_at")) is not None:
            try:
                moment = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
            except ValueError:
                return error(P, 400, "send_at is not a time", kind="syntax_invalid_parameter")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            delay = max(0.0, moment.timestamp() - emulator.clock.now())
        fields = {"to": body["to"], "body": body["body"]}
        message = store.add(P, message_id=_new_id(), delay=delay, fields=fields)
        return JSONResponse(batch_json(message), status_code=201)

    async def cancel(request: Request) -> Response:
        batch = store.get(P, request.path_params["batch_id"])
        if batch is None:
            status = int(emulator.reading(P, "unknown_batch_status"))
            return error(P, status, "Batch not found", kind="not_found")
        if batch.state == "scheduled":
            store.cancel(batch)
        batch.fields["canceled"] = True  # marked, sent or not
        return JSONResponse(batch_json(batch))

    async def report(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        batch = store.get(P, request.path_params["batch_id"])
        if batch is None:
            return error(P, 404, "Batch not found", kind="not_found")
        sent = batch.state == "delivered"
        count = len(batch.fields.get("to", ["15550100"]))
        statuses = [{"code": 0, "status": "Delivered", "count": count}] if sent else []
        body = {
            "type": "delivery_report_sms",
            "batch_id": batch.id,
            "total_message_count": count,
            "statuses": statuses,
        }
        return JSONResponse(body)

    async def listing(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        held = list(store.messages.get(P, {}).values())[:1]
        return JSONResponse(
            {
                "count": len(held),
                "page": 0,
                "page_size": 1,
                "batches": [batch_json(m) for m in held],
            }
        )

    return [
        route(BASE, GET=listing, POST=send),
        route(BASE + "/{batch_id}", DELETE=emulator.guarded(P, authorized, cancel)),
        route(BASE + "/{batch_id}/delivery_report", GET=report),
    ]


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    when = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat()
    response = http.post(
        f"/xms/v1/{credentials['service_plan_id']}/batches",
        headers={"Authorization": f"Bearer {credentials['api_token']}"},
        json={"to": ["15550100"], "from": "12345", "body": "Your appointment", "send_at": when},
    )
    return str(response.raise_for_status().json()["id"])


EMULATED = Emulated(
    name=P,
    credentials={
        "service_plan_id": "0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b",
        "api_token": "emulator-sinch-api-token",
    },
    routes=routes,
    new_id=_new_id,
    error_body=lambda status, text, kind: {"code": kind, "text": text},
    readings={"unknown_batch_status": ("404", "400")},
)
