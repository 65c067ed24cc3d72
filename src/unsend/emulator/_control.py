"""The control API under ``/_emulator/``: seed, advance time, read ground truth, faults, reset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._faults import Faults
from ._input import BadInput, bounded_int, parse_json, route, seconds
from ._kit import emulated

if TYPE_CHECKING:
    from ._app import Emulator

__all__ = ["routes"]


def _bad(text: str, status: int = 400) -> Response:
    return JSONResponse({"error": text}, status_code=status)


async def _json(request: Request) -> Any:
    raw = await request.body()
    return parse_json(raw) if raw else {}


async def _object(request: Request) -> dict[str, Any]:
    body = await _json(request)
    if not isinstance(body, dict):
        raise BadInput("expected a JSON object")
    return body


def routes(emulator: Emulator) -> list[Route]:
    store = emulator.store

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "providers": list(store.messages)})

    async def messages(request: Request) -> Response:
        provider = request.query_params.get("provider")
        if provider is not None and provider not in store.messages:
            return _bad(f"unknown provider {provider!r}")
        return JSONResponse({"messages": [m.truth() for m in store.all(provider)]})

    async def seed(request: Request) -> Response:
        """{"provider", "count"=1, "state"="scheduled", "delay"=3600, "id"?, "fields"?}"""
        body = await _object(request)
        count = bounded_int(body.get("count", 1), "count", 1, 100_000)
        message_id = body.get("id")
        if message_id is not None and (not isinstance(message_id, str) or count != 1):
            raise BadInput("id is a string and goes with count 1")
        created_ms = body.get("created_ms")
        if created_ms is not None:
            created_ms = bounded_int(created_ms, "created_ms", 0, 1 << 52)
        fields = body.get("fields")
        if fields is not None and not isinstance(fields, dict):
            raise BadInput("fields must be a JSON object")
        delay = seconds(body.get("delay", 3600), "delay")
        provider, state = str(body.get("provider")), str(body.get("state", "scheduled"))
        store.check(provider, state)  # before the first message is stored
        created = [
            store.add(
                provider,
                message_id=message_id,
                delay=delay,
                state=state,
                created_ms=created_ms,
                fields=fields,
            )
            for _ in range(count)
        ]
        return JSONResponse({"ids": [m.id for m in created]}, status_code=201)

    async def advance(request: Request) -> Response:
        delivered = store.advance(seconds((await _object(request)).get("seconds", 0), "seconds"))
        return JSONResponse({"now_ms": emulator.clock.now_ms(), "delivered": delivered})

    async def clock(request: Request) -> Response:
        return JSONResponse({"now_ms": emulator.clock.now_ms()})

    async def faults(request: Request) -> Response:
        provider = request.path_params["provider"]
        if provider not in store.messages:
            return _bad(f"unknown provider {provider!r}", 404)
        state = emulator.faults[provider]
        if request.method == "PUT":
            try:
                faults = Faults.from_json(await _json(request))
            except (ValueError, TypeError) as exc:
                raise BadInput(str(exc)) from None
            known = emulated(provider).readings
            for answer, reading in faults.readings.items():
                if reading not in known.get(answer, ()):
                    choices = {k: list(v) for k, v in known.items()}
                    raise BadInput(f"no reading {answer}={reading!r} for {provider}: {choices}")
            state.configure(faults)
        elif request.method == "DELETE":
            state.configure(Faults(seed=emulator.seed))
        return JSONResponse(state.faults.to_json())

    async def stats(request: Request) -> Response:
        return JSONResponse({p: dict(counter) for p, counter in emulator.stats.items()})

    async def events(request: Request) -> Response:
        provider = request.query_params.get("provider", "")
        if provider not in store.messages:
            return _bad(f"unknown provider {provider!r}")
        return JSONResponse({"events": [list(e) for e in emulator.events[provider]]})

    async def reset(request: Request) -> Response:
        emulator.reset()
        return JSONResponse({"ok": True})

    return [
        route("/_emulator/health", GET=health),
        route("/_emulator/messages", GET=messages, POST=seed),
        route("/_emulator/clock", GET=clock),
        route("/_emulator/clock/advance", POST=advance),
        route("/_emulator/faults/{provider}", GET=faults, PUT=faults, DELETE=faults),
        route("/_emulator/stats", GET=stats),
        route("/_emulator/events", GET=events),
        route("/_emulator/reset", POST=reset),
    ]
