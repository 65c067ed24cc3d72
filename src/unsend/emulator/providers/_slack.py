"""Slack routes: schedule a message, delete it, auth.test (unsend's check).

Every answer but a 429 is HTTP 200: ``{"ok": true, ...}`` or ``{"ok": false, "error": code}``,
as Slack's Web API answers. A scheduled message is held under ``CHANNEL:SCHEDULED_ID``, the id
unsend cancels. Deleting one that is unknown, already sent or deleted answers
``invalid_scheduled_message_id``; one due within 60 s too (Slack's rule), whatever it holds.
Bodies are JSON or form-encoded, as Slack takes both (its library sends forms).
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._input import BadInput, form_of, parse_json, route
from .._kit import Emulated

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["EMULATED", "routes"]

P = "slack"
TOO_SOON_MS = 60_000  # Slack: a message due within 60 s can no longer be deleted


def _failed(code: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": code})


async def _fields(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = parse_json(await request.body())
        except BadInput:
            return {}
        return body if isinstance(body, dict) else {}
    try:
        return dict(await form_of(request))
    except BadInput:
        return {}


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    def authorized(request: Request) -> bool:
        return (
            request.headers.get("authorization", "") == f"Bearer {emulator.credentials.slack_token}"
        )

    async def schedule(request: Request) -> Response:
        if not authorized(request):
            return _failed("invalid_auth")
        fields = await _fields(request)
        channel, post_at = fields.get("channel"), fields.get("post_at")
        if not isinstance(channel, str) or not channel:
            return _failed("channel_not_found")
        try:
            delay = max(0.0, float(post_at) - emulator.clock.now())  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return _failed("invalid_time")
        scheduled = "Q" + _random.token_hex(5).upper()
        message = store.add(P, message_id=f"{channel}:{scheduled}", delay=delay)
        return JSONResponse(
            {
                "ok": True,
                "channel": channel,
                "scheduled_message_id": scheduled,
                "post_at": int(message.not_before_ms // 1000),
                "message": {"text": fields.get("text", "")},
            }
        )

    async def delete(request: Request) -> Response:
        fields = await _fields(request)
        channel, scheduled = fields.get("channel"), fields.get("scheduled_message_id")
        if not isinstance(channel, str) or not isinstance(scheduled, str):
            return _failed("invalid_arguments")
        message = store.get(P, f"{channel}:{scheduled}")
        now_ms = emulator.clock.now() * 1000
        if message is None or message.state != "scheduled":
            return _failed("invalid_scheduled_message_id")
        if message.not_before_ms - now_ms < TOO_SOON_MS:
            return _failed("invalid_scheduled_message_id")
        store.cancel(message)
        return JSONResponse({"ok": True})

    async def listing(request: Request) -> Response:
        if not authorized(request):
            return _failed("invalid_auth")
        channel = request.query_params.get("channel")
        waiting = [
            m
            for m in store.messages.get(P, {}).values()
            if m.state == "scheduled" and (channel is None or m.id.startswith(f"{channel}:"))
        ]
        listed = [
            {
                "id": m.id.split(":", 1)[1],
                "channel_id": m.id.split(":", 1)[0],
                "post_at": int(m.not_before_ms // 1000),
                "date_created": int(m.created_ms // 1000),
                "text": "",
            }
            for m in waiting[:100]
        ]
        metadata = {"next_cursor": ""}
        return JSONResponse(
            {"ok": True, "scheduled_messages": listed, "response_metadata": metadata}
        )

    async def auth_test(request: Request) -> Response:
        if not authorized(request):
            return _failed("invalid_auth")
        return JSONResponse({"ok": True, "team": "Emulator", "user": "unsend", "team_id": "T0DEV"})

    return [
        route("/api/auth.test", GET=auth_test, POST=auth_test),
        route("/api/chat.scheduledMessages.list", GET=listing, POST=listing),
        route("/api/chat.scheduleMessage", POST=schedule),
        route("/api/chat.deleteScheduledMessage", POST=emulator.guarded(P, authorized, delete)),
    ]


def _unauthorized(request: Request | None) -> Response:
    return _failed("invalid_auth")


def _schedule(http: httpx.Client, credentials: Mapping[str, str], delay: int) -> str:
    import time

    response = http.post(
        "/api/chat.scheduleMessage",
        headers={"Authorization": f"Bearer {credentials['token']}"},
        json={"channel": "C0DEV0001", "post_at": int(time.time()) + delay, "text": "Standup"},
    )
    answer = response.raise_for_status().json()
    return f"{answer['channel']}:{answer['scheduled_message_id']}"


EMULATED = Emulated(
    name=P,
    credentials={"token": "xoxb-emulator-slack-token"},
    routes=routes,
    new_id=lambda: f"C0DEV0001:Q{_random.token_hex(5).upper()}",
    error_body=lambda status, text, kind: {"ok": False, "error": kind},
    unauthorized=_unauthorized,
)
