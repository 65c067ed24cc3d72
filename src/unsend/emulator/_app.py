"""The emulator as one ASGI app: provider routes, the ``/_emulator/`` control API, faults.

Faults apply to the cancel routes only, so seeding and publishing stay reliable while the
cancels are put under stress. A request whose client went away during injected latency is not
processed, so a client timeout never hides a state change.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..providers._secret import masked
from . import (
    _control,
    _courier,
    _knock,
    _novu,
    _onesignal,
    _qstash,
    _resend,
    _sendgrid,
    _twilio,
)
from ._faults import Faults, FaultState
from ._input import EXCEPTION_HANDLERS
from ._qstash_background import QStashBackground
from ._shapes import error, rate_limited, unauthorized, unavailable
from ._state import PROVIDERS, Store, VirtualClock

__all__ = ["DEFAULT_CREDENTIALS", "EVENTS_KEPT", "Credentials", "Emulator", "create_app"]

EVENTS_KEPT = 100_000


@attrs.frozen
class Credentials:
    """The credentials the emulator accepts (development values; never real ones)."""

    qstash_token: str = attrs.field(default="emulator-qstash-token", repr=masked)
    onesignal_app_id: str = attrs.field(default="00000000-0000-4000-8000-00000000a11d", repr=masked)
    onesignal_api_key: str = attrs.field(default="emulator-onesignal-key", repr=masked)
    courier_token: str = attrs.field(default="emulator-courier-token", repr=masked)
    twilio_account_sid: str = attrs.field(default="AC" + "0" * 31 + "1", repr=masked)
    twilio_auth_token: str = attrs.field(default="emulator-twilio-token", repr=masked)
    resend_api_key: str = attrs.field(default="re_emulator_key", repr=masked)
    sendgrid_api_key: str = attrs.field(default="SG.emulator-key", repr=masked)
    knock_api_key: str = attrs.field(default="sk_emulator_key", repr=masked)
    novu_api_key: str = attrs.field(default="emulator-novu-key", repr=masked)


DEFAULT_CREDENTIALS = Credentials()
PROVIDER_NAMES = PROVIDERS


def provider_config(name: str, url: str, credentials: Credentials) -> dict[str, str]:
    """The configuration (as ``unsend.from_config`` takes it) of one emulated provider."""
    c = credentials
    secrets: dict[str, dict[str, str]] = {
        "qstash": {"token": c.qstash_token},
        "onesignal": {"app_id": c.onesignal_app_id, "api_key": c.onesignal_api_key},
        "courier": {"token": c.courier_token},
        "twilio": {"account_sid": c.twilio_account_sid, "auth_token": c.twilio_auth_token},
        "resend": {"api_key": c.resend_api_key},
        "sendgrid": {"api_key": c.sendgrid_api_key},
        "knock": {"api_key": c.knock_api_key},
        "novu": {"api_key": c.novu_api_key},
    }
    if name not in secrets:
        raise ValueError(f"unknown provider {name!r}")
    return {"provider": name, **secrets[name], "base_url": url}


def provider_dsn(name: str, url: str, credentials: Credentials) -> str:
    """The DSN of one emulated provider (credentials percent-encoded)."""
    config = provider_config(name, url, credentials)
    secret = [quote(v, safe="") for k, v in config.items() if k not in ("provider", "base_url")]
    return f"{name}://{':'.join(secret)}@?base_url={quote(url, safe=':/')}"


def development_banner(url: str, credentials: Credentials = DEFAULT_CREDENTIALS) -> str:
    """What a person starting the emulator needs to point unsend at it."""
    lines = [
        f"unsend emulator on {url} (control API under /_emulator/)",
        "development credentials (the emulator's own; never real ones):",
        *(f"  UNSEND_{n.upper()}_DSN={provider_dsn(n, url, credentials)}" for n in PROVIDER_NAMES),
    ]
    return "\n".join(lines)


class DroppedConnection(Exception):
    """Raised after the status line to make the server cut the connection mid-response."""


class _DropFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


class _DropResponse(Response):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"64"), (b"content-type", b"application/json")],
            }
        )
        raise DroppedConnection


Handler = Callable[[Request], Awaitable[Response]]


class Emulator:
    """A local QStash, OneSignal and Courier in one ASGI app. Call it as an ASGI application."""

    def __init__(self, *, credentials: Credentials = DEFAULT_CREDENTIALS, seed: int = 0) -> None:
        self.credentials = credentials
        self.seed = seed
        self.clock = VirtualClock()
        self.store = Store(self.clock)
        self.qstash = QStashBackground(self.store)
        self.faults = {p: FaultState(Faults(seed=seed)) for p in PROVIDERS}
        self.stats: dict[str, Counter[str]] = {p: Counter() for p in PROVIDERS}
        # (monotonic seconds, answer) of the latest cancel requests, to observe pacing and pauses
        self.events: dict[str, deque[tuple[float, str]]] = {
            p: deque(maxlen=EVENTS_KEPT) for p in PROVIDERS
        }
        routes: list[Route] = [
            *_qstash.routes(self),
            *_onesignal.routes(self),
            *_courier.routes(self),
            *_twilio.routes(self),
            *_resend.routes(self),
            *_sendgrid.routes(self),
            *_knock.routes(self),
            *_novu.routes(self),
            *_control.routes(self),
        ]
        self.app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)
        self.app.router.redirect_slashes = False
        logging.getLogger("uvicorn.error").addFilter(_DropFilter())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def reset(self) -> None:
        self.clock.offset = 0.0
        self.store.reset()
        self.qstash.reset()
        for provider in PROVIDERS:
            self.faults[provider].configure(Faults(seed=self.seed))
            self.stats[provider].clear()
            self.events[provider].clear()

    def guarded(
        self, provider: str, authorized: Callable[[Request], bool], handler: Handler
    ) -> Handler:
        """A cancel route: the provider's refusal (counted) without the right credentials, else
        ``handler``."""

        async def endpoint(request: Request) -> Response:
            if not authorized(request):
                refusal = unauthorized(provider, request)
                self.count(provider, str(refusal.status_code))
                return refusal
            return await self.cancel_route(provider, request, handler)

        return endpoint

    async def cancel_route(self, provider: str, request: Request, handler: Handler) -> Response:
        """Run a cancel handler under the provider's faults, counting what it answered."""
        await request.body()  # consumed first, so a later disconnect check sees only that
        state = self.faults[provider]
        decision = state.decide()
        if decision.latency:
            await asyncio.sleep(decision.latency)
            if await request.is_disconnected():
                self.count(provider, "abandoned")
                return Response(status_code=499)
        response: Response
        if decision.kind == "drop":
            self.count(provider, "dropped")
            return _DropResponse()
        if decision.kind in ("rate_limited", "daily_quota"):
            limit = state.faults.daily_quota if decision.kind == "daily_quota" else None
            rps = state.faults.limit_rps
            response = rate_limited(
                provider,
                decision,
                limit=int(limit if limit is not None else (rps or 100)),
                now=self.clock.now(),
            )
        elif decision.kind == "unavailable":
            response = unavailable(provider, decision, state.faults.unavailable_body)
        elif decision.kind == "server_error":
            response = error(provider, 500, "Internal Server Error", kind="api_error")
        elif decision.kind == "revoked":
            response = unauthorized(provider)
        elif decision.kind == "malformed":
            await handler(request)  # the cancel happens; only its answer is broken
            response = Response(b'{"success": tr', status_code=200, media_type="application/json")
        else:
            response = await handler(request)
        self.count(provider, str(response.status_code))
        return response

    def count(self, provider: str, answer: str) -> None:
        self.stats[provider][answer] += 1
        self.events[provider].append((time.monotonic(), answer))


def create_app(*, credentials: Credentials = DEFAULT_CREDENTIALS, seed: int = 0) -> Emulator:
    """A new emulator with empty state."""
    return Emulator(credentials=credentials, seed=seed)
