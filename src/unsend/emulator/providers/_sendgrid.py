"""SendGrid routes: create a batch, send mail with it and ``send_at``, cancel its sends.

A batch is the emulator's message: created by ``POST /v3/mail/batch``, due at the ``send_at``
of the mail sent with it, cancelled by ``POST /v3/user/scheduled_sends``. A second cancel or
pause of the same batch, or one less than 10 minutes before ``send_at``, is a 400.
"""

from __future__ import annotations

import math
import secrets
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import json_body, route
from .._kit import Emulated
from .._shapes import error, unauthorized

if TYPE_CHECKING:
    from .._app import Emulator
    from .._faults import Decision

__all__ = ["EMULATED", "routes"]

P = "sendgrid"
UNSENT = 72 * 3600.0  # a batch nothing was sent with yet is never due (72 h is send_at's limit)


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        expected = f"Bearer {emulator.credentials.sendgrid_api_key}"
        return request.headers.get("authorization", "") == expected

    async def create_batch(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        batch = store.add(P, message_id=secrets.token_urlsafe(24), delay=UNSENT)
        return JSONResponse({"batch_id": batch.id}, status_code=201)

    async def send(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        body = await json_body(request)
        if not isinstance(body, dict) or not body.get("personalizations"):
            return error(P, 400, "personalizations are required")
        batch = store.get(P, str(body.get("batch_id", "")))
        send_at = body.get("send_at")
        if batch is None or not isinstance(send_at, int) or isinstance(send_at, bool):
            return error(P, 400, "a batch_id and a send_at are required here")
        delay = send_at - emulator.clock.now()
        if not 0 < delay <= 72 * 3600:
            return error(P, 400, "send_at must be within 72 hours")
        batch.not_before_ms = send_at * 1000
        return Response(status_code=202)

    async def cancel(request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict) or body.get("status") not in ("cancel", "pause"):
            return error(P, 400, "batch_id and status (cancel or pause) are required")
        batch = store.get(P, str(body.get("batch_id", "")))
        if batch is None:
            return error(P, 404, "batch id not found")
        if batch.fields.get("status") is not None:
            # A second status is undocumented today (2015's docs: 400 "use PATCH").
            status = int(emulator.reading(P, "second_status"))
            return error(P, status, "a status for this batch id exists; use PATCH to change it")
        if batch.state != "scheduled" or batch.not_before_ms - store.clock.now_ms() < 600_000:
            return error(P, 400, "too late: less than 10 minutes before send_at")
        batch.fields["status"] = body["status"]
        if body["status"] == "cancel":
            store.cancel(batch)
        return JSONResponse({"batch_id": batch.id, "status": body["status"]}, status_code=201)

    async def get_status(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        batch = store.get(P, request.path_params["batch_id"])
        if batch is None or batch.fields.get("status") is None:
            return error(P, 404, "batch id not found")
        return JSONResponse([{"batch_id": batch.id, "status": batch.fields["status"]}])

    return [
        route("/v3/mail/batch", POST=create_batch),
        route("/v3/mail/send", POST=send),
        route("/v3/user/scheduled_sends", POST=emulator.guarded(P, authorized, cancel)),
        route("/v3/user/scheduled_sends/{batch_id}", GET=get_status),
    ]


def _rate_limit(decision: Decision, limit: int, now: float) -> tuple[str, dict[str, str]]:
    headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"}
    if decision.retry_after is not None:
        headers["X-RateLimit-Reset"] = str(math.ceil(now + decision.retry_after))
    return "too many requests", headers


EMULATED = Emulated(
    name=P,
    credentials={"api_key": "SG.emulator-key"},
    routes=routes,
    new_id=lambda: secrets.token_urlsafe(24),
    error_body=lambda status, text, kind: {"errors": [{"field": None, "message": text}]},
    rate_limit=_rate_limit,
    readings={"second_status": ("400", "409")},
)
