"""Knock routes: trigger a workflow (a run waiting in a delay step), cancel by key.

A run is the emulator's message, its id ``WORKFLOW_KEY:CANCELLATION_KEY``. A cancel answers 204
whatever it found, as Knock does; with recipients it stops the run for those only, and the run
is cancelled once no recipient is left.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import json_body, route
from .._kit import Emulated
from .._shapes import error, unauthorized

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "knock"


def _recipient(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        expected = f"Bearer {emulator.credentials.knock_api_key}"
        return request.headers.get("authorization", "") == expected

    async def list_messages(request: Request) -> Response:
        """List messages (unsend's check reads one page): none kept by the emulator."""
        if not authorized(request):
            return unauthorized(P)
        page_info = {"__typename": "PageInfo", "after": None, "before": None}
        return JSONResponse({"items": [], "page_info": page_info})

    async def trigger(request: Request) -> Response:
        if not authorized(request):
            return unauthorized(P)
        body = await json_body(request)
        recipients = body.get("recipients") if isinstance(body, dict) else None
        users = [_recipient(r) for r in recipients] if isinstance(recipients, list) else []
        if not users or None in users or len(users) > 1000:
            return error(P, 422, "recipients: 1 to 1000 user ids", kind="invalid_params")
        key = body.get("cancellation_key") or str(uuid.uuid4())
        if not isinstance(key, str):
            return error(P, 422, "cancellation_key must be a string", kind="invalid_params")
        workflow = request.path_params["key"]
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        delay = data.get("delay_seconds", 3600) if isinstance(data, dict) else 3600
        if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
            return error(P, 422, "data.delay_seconds must be a number", kind="invalid_params")
        store.add(P, message_id=f"{workflow}:{key}", delay=delay, fields={"recipients": users})
        return JSONResponse({"workflow_run_id": str(uuid.uuid4())})

    async def cancel(request: Request) -> Response:
        body = await json_body(request)
        workflow = request.path_params["key"]
        if not isinstance(body, dict) or not isinstance(body.get("cancellation_key"), str):
            return error(P, 422, "cancellation_key is required", kind="invalid_params")
        run = store.get(P, f"{workflow}:{body['cancellation_key']}")
        if run is None and emulator.reading(P, "unknown_key") == "404":
            return error(P, 404, "no workflow run with this cancellation key")
        if run is not None and run.state == "scheduled":
            only = body.get("recipients")
            if isinstance(only, list) and only:
                left = [u for u in run.fields["recipients"] if u not in map(_recipient, only)]
                run.fields["recipients"] = left
                if not left:
                    store.cancel(run)
            else:
                store.cancel(run)
        return Response(status_code=204)

    return [
        route("/v1/messages", GET=list_messages),
        route("/v1/workflows/{key}/trigger", POST=trigger),
        route("/v1/workflows/{key}/cancel", POST=emulator.guarded(P, authorized, cancel)),
    ]


EMULATED = Emulated(
    name=P,
    credentials={"api_key": "sk_emulator_key"},
    routes=routes,
    new_id=lambda: f"reminder:{uuid.uuid4()}",
    error_body=lambda status, text, kind: {
        "code": kind,
        "message": text,
        "status": status,
        "type": kind,
    },
    # An unknown key: presumably 204 like the rest (Knock is silent), or a 404 a test plays.
    readings={"unknown_key": ("204", "404")},
)
