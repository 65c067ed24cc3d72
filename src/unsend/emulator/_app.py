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

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import _control
from ._credentials import Credentials
from ._faults import Faults, FaultState
from ._input import EXCEPTION_HANDLERS
from ._kit import emulated, emulated_providers
from ._shapes import error, rate_limited, unauthorized, unavailable
from ._state import Store, VirtualClock

__all__ = ["EVENTS_KEPT", "Credentials", "Emulator", "create_app", "default_credentials"]

EVENTS_KEPT = 100_000


def default_credentials() -> Credentials:
    """Every emulated provider's development credentials (a new value each call)."""
    return Credentials()


def provider_config(name: str, url: str, credentials: Credentials) -> dict[str, str]:
    """The configuration (as ``unsend.from_config`` takes it) of one emulated provider."""
    return {"provider": name, **credentials.of(name), "base_url": url}


def provider_dsn(name: str, url: str, credentials: Credentials) -> str:
    """The DSN of one emulated provider (credentials percent-encoded, in the order the
    provider lists them)."""
    secret = ":".join(quote(v, safe="") for v in credentials.of(name).values())
    return f"{name}://{secret}@?base_url={quote(url, safe=':/')}"


def development_banner(url: str, credentials: Credentials | None = None) -> str:
    """What a person starting the emulator needs to point unsend at it."""
    credentials = credentials or Credentials()
    lines = [
        f"unsend emulator on {url} (control API under /_emulator/)",
        "development credentials (the emulator's own; never real ones):",
        *(
            f"  UNSEND_{n.upper()}_DSN={provider_dsn(n, url, credentials)}"
            for n in emulated_providers()
        ),
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
    """Every emulated provider in one ASGI app. Call it as an ASGI application."""

    def __init__(self, *, credentials: Credentials | None = None, seed: int = 0) -> None:
        self.credentials = credentials if credentials is not None else Credentials()
        self.seed = seed
        self.clock = VirtualClock()
        self.store = Store(self.clock)
        self.on_reset: list[Callable[[], None]] = []  # what a provider keeps besides messages
        providers = emulated_providers()
        self.faults = {p: FaultState(Faults(seed=seed)) for p in providers}
        self.stats: dict[str, Counter[str]] = {p: Counter() for p in providers}
        # (monotonic seconds, answer) of the latest cancel requests, to observe pacing and pauses
        self.events: dict[str, deque[tuple[float, str]]] = {
            p: deque(maxlen=EVENTS_KEPT) for p in providers
        }
        routes: list[Route] = [r for p in providers.values() for r in p.routes(self)]
        routes += _control.routes(self)
        self.app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)
        self.app.router.redirect_slashes = False
        logging.getLogger("uvicorn.error").addFilter(_DropFilter())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def reset(self) -> None:
        self.clock.offset = 0.0
        self.store.reset()
        for reset in self.on_reset:
            reset()
        for provider in self.faults:
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

    def reading(self, provider: str, answer: str) -> str:
        """How this emulator plays ``provider``'s undocumented ``answer`` now."""
        chosen = self.faults[provider].faults.readings.get(answer)
        return chosen if chosen is not None else emulated(provider).readings[answer][0]

    def count(self, provider: str, answer: str) -> None:
        self.stats[provider][answer] += 1
        self.events[provider].append((time.monotonic(), answer))


def create_app(*, credentials: Credentials | None = None, seed: int = 0) -> Emulator:
    """A new emulator with empty state."""
    return Emulator(credentials=credentials, seed=seed)
