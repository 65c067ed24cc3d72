"""Untrusted input to the emulator: JSON, numbers and routes that never turn into a 500.

Every malformed input raises ``BadInput`` before any state changes; the app answers it 400 with
a JSON error. Numbers must be finite and within bounds (``"inf"``, ``1e400`` and NaN are
refused, so nothing poisons the virtual clock), JSON may not nest past Python's recursion limit,
and a path served under several methods is one route, so a 405 names them all in ``Allow``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["MAX_SECONDS", "BadInput", "bounded_int", "parse_json", "route", "seconds"]

MAX_SECONDS = 100 * 365 * 86_400.0  # a century: longer than any schedule a provider accepts


class BadInput(ValueError):
    """Malformed input: answered 400 with a JSON error, state untouched."""


def _refuse_constant(name: str) -> Any:
    raise BadInput(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadInput(f"{text} is out of range")
    return value


def parse_json(raw: bytes) -> Any:
    """Decoded JSON, refusing NaN, Infinity, out-of-range numbers and runaway nesting."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadInput("JSON nested too deeply") from None
    except BadInput:
        raise
    except (ValueError, TypeError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadInput(f"invalid JSON: {exc}") from None


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadInput(f"{name} must be a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise BadInput(f"{name} must be a number") from None
    if not math.isfinite(number):
        raise BadInput(f"{name} must be a finite number")
    return number


def seconds(value: object, name: str) -> float:
    """A duration in seconds: finite, from 0 to a century."""
    number = _number(value, name)
    if not 0 <= number <= MAX_SECONDS:
        raise BadInput(f"{name} must be between 0 and {MAX_SECONDS:.0f} seconds")
    return number


def bounded_int(value: object, name: str, low: int, high: int) -> int:
    number = _number(value, name)
    if number != int(number) or not low <= number <= high:
        raise BadInput(f"{name} must be an integer between {low} and {high}")
    return int(number)


Handler = Callable[[Request], Awaitable[Response]]


def route(path: str, **handlers: Handler) -> Route:
    """One route for every method served at ``path`` (``GET=…, DELETE=…``)."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return Route(path, dispatch, methods=list(handlers))


async def bad_input(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=400)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


EXCEPTION_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    BadInput: bad_input,
    HTTPException: http_error,
}


async def form_of(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (last value of a repeated key wins).

    Read here, not with Starlette's form parser, which needs python-multipart for this too.
    """
    from urllib.parse import parse_qsl

    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadInput("form body too large")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise BadInput("form body is not UTF-8") from None


MAX_FORM_BYTES = 64 * 1024


async def json_body(request: Request) -> Any:
    """The request's JSON body, or None when it is not JSON (each route answers its own 4xx)."""
    try:
        return parse_json(await request.body())
    except BadInput:
        return None
