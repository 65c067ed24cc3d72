"""QStash routes: publish, get, cancel one, bulk cancel (every filter of the current reference),
bulk actions and schedules."""

from __future__ import annotations

import math
import re
import secrets as _random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, Handler, bounded_int, parse_json, route
from .._kit import Emulated
from .._shapes import error, unauthorized
from .._state import Message
from ._qstash_background import QStashBackground

if TYPE_CHECKING:
    from .._app import Emulator
    from .._faults import Decision

__all__ = ["EMULATED", "FILTERS", "routes"]

P = "qstash"
# Query name -> message field. callerIP is the deprecated spelling of callerIp.
FILTERS = {
    "topicName": "topicName",
    "queueName": "queueName",
    "url": "url",
    "host": "host",
    "path": "path",
    "label": "label",
    "flowControlKey": "flowControlKey",
    "scheduleId": "scheduleId",
    "callerIp": "callerIp",
    "callerIP": "callerIp",
}
_DELAY = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SCHEDULE_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")


def _authorized(emulator: Emulator, request: Request) -> bool:
    token = emulator.credentials.qstash_token
    header = request.headers.get("authorization", "")
    return header == f"Bearer {token}" or request.query_params.get("qstash_token") == token


def _values(request: Request, name: str, body: dict[str, Any]) -> list[str]:
    """Repeated keys and comma lists alike; the SDK's JSON body form is accepted too."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v for v in raw.split(",") if v)
    extra = body.get(name)
    if isinstance(extra, list):
        values.extend(str(v) for v in extra)
    elif isinstance(extra, str):
        values.extend(v for v in extra.split(",") if v)
    return values


def message_json(m: Message) -> dict[str, Any]:
    return {
        "messageId": m.id,
        "url": m.fields.get("url", ""),
        "method": "POST",
        "maxRetries": 3,
        "notBefore": m.not_before_ms,
        "createdAt": m.created_ms,
        **{
            k: m.fields[k]
            for k in ("topicName", "queueName", "label", "scheduleId", "flowControlKey")
            if k in m.fields
        },
        **({"callerIP": m.fields["callerIp"]} if "callerIp" in m.fields else {}),
    }


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store
    background = QStashBackground(emulator.store)
    emulator.on_reset.append(background.reset)

    def publish_fields(request: Request, destination: str, queue: str | None) -> dict[str, Any]:
        fields: dict[str, Any] = {"callerIp": request.client.host if request.client else ""}
        if destination.startswith(("http://", "https://")):
            parts = urlsplit(destination)
            fields.update(url=destination, host=parts.hostname or "", path=parts.path or "/")
        else:
            fields["topicName"] = destination
        if queue:
            fields["queueName"] = queue
        for header, name in (
            ("upstash-label", "label"),
            ("upstash-flow-control-key", "flowControlKey"),
        ):
            if value := request.headers.get(header):
                fields[name] = value
        return fields

    def delay_of(request: Request) -> float | None:
        if (not_before := request.headers.get("upstash-not-before")) is not None:
            try:
                moment = bounded_int(not_before, "Upstash-Not-Before", 0, 1 << 40)
            except BadInput:
                return None
            return max(0.0, moment - emulator.clock.now())
        text = request.headers.get("upstash-delay", "0s")
        match = _DELAY.match(text)
        if not match or len(match[1]) > 12:  # longer than any schedule QStash accepts
            return None
        return int(match[1]) * _UNITS[match[2]]

    async def publish(request: Request) -> Response:
        if not _authorized(emulator, request):
            return unauthorized(P)
        delay = delay_of(request)
        if delay is None:
            return error(P, 400, "invalid Upstash-Delay or Upstash-Not-Before header")
        fields = publish_fields(
            request, request.path_params["destination"], request.path_params.get("queue")
        )
        message = store.add(P, delay=delay, fields=fields)
        return JSONResponse({"messageId": message.id})

    async def get(request: Request) -> Response:
        if not _authorized(emulator, request):
            return unauthorized(P)
        message = store.get(P, request.path_params["message_id"])
        if message is None or message.state != "scheduled":
            return error(P, 404, "message not found")
        return JSONResponse(message_json(message))

    async def cancel_one(request: Request) -> Response:
        message = store.get(P, request.path_params["message_id"])
        # Delivered and cancelled messages are deleted at QStash: both answer 404.
        if message is None or message.state != "scheduled":
            return error(P, 404, "message not found")
        store.cancel(message)
        return Response(status_code=200)

    async def bulk(request: Request) -> Response:
        raw = await request.body()
        body: dict[str, Any] = {}
        if raw:
            try:
                parsed = parse_json(raw)
            except BadInput:
                return error(P, 400, "invalid JSON body")
            body = parsed if isinstance(parsed, dict) else {}
        count_text = request.query_params.get("count", body.get("count"))
        count: int | None = None
        if count_text is not None:
            try:
                count = bounded_int(count_text, "count", 1, 500)
            except BadInput:
                count = 0
            if not 1 <= count <= 500:
                return error(P, 400, "count must be between 1 and 500")
        candidates = [m for m in store.all(P) if m.state == "scheduled"]
        ids = _values(request, "messageIds", body)
        if ids:
            wanted = set(ids)
            candidates = [m for m in candidates if m.id in wanted]
        else:
            for name, field in FILTERS.items():
                values = _values(request, name, body)
                if values:
                    allowed = set(values)
                    candidates = [m for m in candidates if m.fields.get(field) in allowed]
            for name, sign in (("fromDate", 1), ("toDate", -1)):
                if (text := request.query_params.get(name, body.get(name))) is not None:
                    try:
                        bound = int(text)
                    except (TypeError, ValueError):
                        return error(P, 400, f"{name} must be unix milliseconds")
                    # Both bounds are inclusive: fromDate <= createdAt <= toDate.
                    candidates = [m for m in candidates if sign * (m.created_ms - bound) >= 0]
        settings = emulator.faults[P].faults
        asked = request.query_params.get("async", body.get("async"))
        if settings.bulk_contract == "current" and asked in ("true", True) and not ids:
            # Today's contract: in the background, as a tracked action; count is deprecated.
            limit = settings.bulk_max_in_progress
            if limit is not None and background.in_progress() >= limit:
                return error(P, 412, "too many bulk actions in progress")
            run = background.start_action(candidates, settings.bulk_rate, given_filter(request))
            return JSONResponse({"actionId": run.id})
        if count is not None:
            candidates = candidates[:count]
        for message in candidates:
            store.cancel(message)
        return JSONResponse({"cancelled": len(candidates)})

    def given_filter(request: Request) -> dict[str, list[str]]:
        names = [*FILTERS, "fromDate", "toDate"]
        return {
            name: values
            for name in names
            if (values := [v for raw in request.query_params.getlist(name) for v in raw.split(",")])
        }

    async def get_action(request: Request) -> Response:
        if not _authorized(emulator, request):
            return unauthorized(P)
        store.tick()
        run = background.actions.get(request.path_params["action_id"])
        if run is None:
            return error(P, 404, "bulk action not found")
        return JSONResponse(run.json())

    async def list_actions(request: Request) -> Response:
        if not _authorized(emulator, request):
            return unauthorized(P)
        count = bounded_int(request.query_params.get("count", "100"), "count", 1, 1 << 31)
        count = min(count, 1000)  # "values above 1000 are treated as 1000"
        state = request.query_params.get("state")
        if state is not None and state not in ("IN_PROGRESS", "FINISHED"):
            return error(P, 400, "state must be IN_PROGRESS or FINISHED")
        cursor = bounded_int(request.query_params.get("cursor", "0"), "cursor", 0, 1 << 31)
        store.tick()
        # Newest first; the state filter applies to each scanned page, as QStash documents.
        runs = sorted(background.actions.values(), key=lambda r: r.created_ms, reverse=True)
        page = runs[cursor : cursor + count]
        body: dict[str, Any] = {
            "bulkActions": [r.json() for r in page if state is None or r.state == state]
        }
        if cursor + count < len(runs):
            body["cursor"] = str(cursor + count)
        return JSONResponse(body)

    async def create_schedule(request: Request) -> Response:
        if not _authorized(emulator, request):
            return unauthorized(P)
        cron = request.headers.get("upstash-cron")
        if cron is None:
            return error(P, 400, "Upstash-Cron header is required")
        delay = delay_of(request)
        if delay is None:
            return error(P, 400, "invalid Upstash-Delay header")
        destination = request.path_params["destination"]
        chosen = request.headers.get("upstash-schedule-id")
        if chosen is not None and not _SCHEDULE_ID.fullmatch(chosen):
            return error(P, 400, "schedule id may hold letters, digits, '-', '.' and '_' only")
        fields = publish_fields(request, destination, request.headers.get("upstash-queue-name"))
        schedule = background.create_schedule(cron, destination, delay, fields, chosen)
        return JSONResponse({"scheduleId": schedule.id})

    async def get_schedule(request: Request) -> Response:
        if not _authorized(emulator, request):
            return unauthorized(P)
        store.tick()
        schedule = background.schedules.get(request.path_params["schedule_id"])
        if schedule is None:
            return error(P, 404, "schedule not found")
        return JSONResponse(schedule.json())

    async def list_schedules(request: Request) -> Response:
        if not _authorized(emulator, request):
            return unauthorized(P)
        store.tick()
        return JSONResponse([s.json() for s in background.schedules.values()])

    async def delete_schedule(request: Request) -> Response:
        store.tick()  # what came due before the delete was produced
        if background.schedules.pop(request.path_params["schedule_id"], None) is None:
            return error(P, 404, "schedule not found")
        return Response(status_code=200)

    def guarded(handler: Handler) -> Handler:
        return emulator.guarded(P, lambda request: _authorized(emulator, request), handler)

    return [
        route("/v2/bulkActions", GET=list_actions),
        route("/v2/bulkActions/{action_id}", GET=get_action),
        route("/v2/schedules", GET=list_schedules),
        route("/v2/schedules/{schedule_id}", GET=get_schedule, DELETE=guarded(delete_schedule)),
        route("/v2/schedules/{destination:path}", POST=create_schedule),
        route("/v2/publish/{destination:path}", POST=publish),
        route("/v2/enqueue/{queue}/{destination:path}", POST=publish),
        route("/v2/messages/{message_id}", GET=get, DELETE=guarded(cancel_one)),
        # The trailing-slash form is the same bulk route: what path injection would reach.
        route("/v2/messages", DELETE=guarded(bulk)),
        route("/v2/messages/", DELETE=guarded(bulk)),
    ]


def _error_body(status: int, text: str, kind: str) -> Any:
    return {"error": text}


def _rate_limit(decision: Decision, limit: int, now: float) -> tuple[str, dict[str, str]]:
    if decision.kind == "daily_quota":
        midnight = (int(now) // 86400 + 1) * 86400
        headers = {
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(midnight),
        }
        return "daily request limit exceeded", headers
    headers = {"Burst-RateLimit-Limit": str(limit), "Burst-RateLimit-Remaining": "0"}
    if decision.retry_after is not None:
        headers["Burst-RateLimit-Reset"] = str(math.ceil(now + decision.retry_after))
    return "burst rate limit exceeded", headers


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    response = http.post(
        "/v2/publish/https://example.com/hooks/reminder",
        headers={
            "Authorization": f"Bearer {credentials['token']}",
            "Upstash-Delay": f"{delay}s",
            "Upstash-Label": "demo",
        },
        json={"reminder": "dentist"},
    )
    return str(response.raise_for_status().json()["messageId"])


EMULATED = Emulated(
    name=P,
    credentials={"token": "emulator-qstash-token"},
    schedule=_schedule,
    routes=routes,
    new_id=lambda: "msg_" + _random.token_hex(12),
    error_body=_error_body,
    rate_limit=_rate_limit,
)
