"""The control API under ``/_emulator/``: seed, advance time, read ground truth, faults, reset."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._faults import Faults
from ._state import PROVIDERS

if TYPE_CHECKING:
    from ._app import Emulator

__all__ = ["routes"]


def _bad(text: str, status: int = 400) -> Response:
    return JSONResponse({"error": text}, status_code=status)


async def _json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw else {}


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "providers": list(PROVIDERS)})

    async def messages(request: Request) -> Response:
        provider = request.query_params.get("provider")
        if provider is not None and provider not in PROVIDERS:
            return _bad(f"unknown provider {provider!r}")
        return JSONResponse({"messages": [m.truth() for m in store.all(provider)]})

    async def seed(request: Request) -> Response:
        """{"provider", "count"=1, "state"="scheduled", "delay"=3600, "id"?, "fields"?}"""
        try:
            body = await _json(request)
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object")
            count = int(body.get("count", 1))
            if not 1 <= count <= 100_000:
                raise ValueError("count must be between 1 and 100000")
            if body.get("id") is not None and count != 1:
                raise ValueError("id goes with count 1")
            created = [
                store.add(
                    str(body.get("provider")),
                    message_id=body.get("id"),
                    delay=float(body.get("delay", 3600)),
                    state=str(body.get("state", "scheduled")),
                    created_ms=body.get("created_ms"),
                    fields=body.get("fields"),
                )
                for _ in range(count)
            ]
        except (ValueError, TypeError) as exc:
            return _bad(str(exc))
        return JSONResponse({"ids": [m.id for m in created]}, status_code=201)

    async def advance(request: Request) -> Response:
        try:
            seconds = float((await _json(request)).get("seconds", 0))
            delivered = store.advance(seconds)
        except (ValueError, TypeError, AttributeError) as exc:
            return _bad(str(exc))
        return JSONResponse({"now_ms": emulator.clock.now_ms(), "delivered": delivered})

    async def faults(request: Request) -> Response:
        provider = request.path_params["provider"]
        if provider not in PROVIDERS:
            return _bad(f"unknown provider {provider!r}", 404)
        state = emulator.faults[provider]
        if request.method == "PUT":
            try:
                state.configure(Faults.from_json(await _json(request)))
            except (ValueError, TypeError) as exc:
                return _bad(str(exc))
        elif request.method == "DELETE":
            state.configure(Faults(seed=emulator.seed))
        return JSONResponse(state.faults.to_json())

    async def stats(request: Request) -> Response:
        return JSONResponse({p: dict(counter) for p, counter in emulator.stats.items()})

    async def events(request: Request) -> Response:
        provider = request.query_params.get("provider", "")
        if provider not in PROVIDERS:
            return _bad(f"unknown provider {provider!r}")
        return JSONResponse({"events": [list(e) for e in emulator.events[provider]]})

    async def reset(request: Request) -> Response:
        emulator.reset()
        return JSONResponse({"ok": True})

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/messages", messages, methods=["GET"]),
        Route("/_emulator/messages", seed, methods=["POST"]),
        Route("/_emulator/clock/advance", advance, methods=["POST"]),
        Route("/_emulator/faults/{provider}", faults, methods=["GET", "PUT", "DELETE"]),
        Route("/_emulator/stats", stats, methods=["GET"]),
        Route("/_emulator/events", events, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
    ]
