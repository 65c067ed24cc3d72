"""Google Cloud Tasks routes (REST v2): create a task in a queue, delete it, list a project's
locations (unsend's check).

A task is held under ``PROJECT:LOCATION:QUEUE:TASK``, the id unsend cancels. Deleting a task that
waits answers 200 ``{}``; one already executed, deleted before or never created answers 404 in
Google's error envelope (undocumented for DeleteTask; what third-party emulators answer).
"""

from __future__ import annotations

import secrets as _random
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, parse_json, route
from .._kit import Emulated

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "cloudtasks"
QUEUE = "/v2/projects/{project}/locations/{location}/queues/{queue}"
STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def _envelope(status: int, text: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": text, "status": STATUS.get(status, "UNKNOWN")}}


def _error(status: int, text: str) -> Response:
    return JSONResponse(_envelope(status, text), status_code=status)


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        expected = f"Bearer {emulator.credentials.cloudtasks_token}"
        return request.headers.get("authorization", "") == expected

    def held(params: Any) -> str:
        return ":".join(params[k] for k in ("project", "location", "queue", "task"))

    async def create(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "Request had invalid authentication credentials.")
        try:
            body: Any = parse_json(await request.body())
        except BadInput:
            return _error(400, "Invalid JSON payload received.")
        task = body.get("task") if isinstance(body, dict) else None
        when = task.get("scheduleTime") if isinstance(task, dict) else None
        if not isinstance(task, dict) or not isinstance(when, str):
            return _error(400, "task.scheduleTime is required")
        try:
            moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            return _error(400, "task.scheduleTime is not a timestamp")
        name = str(task.get("name", "")).rpartition("/")[2] or f"t{_random.token_hex(8)}"
        params = {**request.path_params, "task": name}
        delay = max(0.0, moment.timestamp() - emulator.clock.now())
        store.add(P, message_id=held(params), delay=delay)
        full = "/".join(
            f"{k}s/{params[k]}" if k != "location" else f"locations/{params[k]}"
            for k in ("project", "location", "queue", "task")
        )
        return JSONResponse({"name": full, "scheduleTime": when})

    async def delete(request: Request) -> Response:
        task = store.get(P, held(request.path_params))
        if task is None or task.state != "scheduled":
            return _error(404, "Requested entity was not found.")
        store.cancel(task)
        return JSONResponse({})

    async def locations(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "Request had invalid authentication credentials.")
        project = request.path_params["project"]
        found = {"name": f"projects/{project}/locations/europe-west1", "locationId": "europe-west1"}
        return JSONResponse({"locations": [found]})

    return [
        route("/v2/projects/{project}/locations", GET=locations),
        route(QUEUE + "/tasks", POST=create),
        route(QUEUE + "/tasks/{task}", DELETE=emulator.guarded(P, authorized, delete)),
    ]


EMULATED = Emulated(
    name=P,
    credentials={"token": "ya29.emulator-cloudtasks-token", "project": "unsend-dev"},
    routes=routes,
    new_id=lambda: f"unsend-dev:europe-west1:reminders:t{_random.token_hex(8)}",
    error_body=lambda status, text, kind: _envelope(status, text),
    unauthorized=lambda request: _error(401, "Request had invalid authentication credentials."),
)
