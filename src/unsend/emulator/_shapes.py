"""Each provider's own shapes: error bodies, rate-limit headers, unavailable bodies."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._faults import Decision
from ._kit import emulated

__all__ = ["error", "rate_limited", "unavailable", "unauthorized"]

_HTML_503 = (
    b"<html><head><title>503 Service Unavailable</title></head><body>"
    b"<h1>503 Service Unavailable</h1></body></html>"
)
_BINARY_503 = b"\xff\xfe\x00\x9c\x80 upstream \xc3\x28 failure \xa0\xa1"


def error(
    provider: str,
    status: int,
    text: str,
    *,
    kind: str = "invalid_request_error",
    headers: dict[str, str] | None = None,
) -> Response:
    """An error in ``provider``'s own shape (its ``Emulated.error_body``)."""
    body = emulated(provider).error_body(status, text, kind)
    return JSONResponse(body, status_code=status, headers=headers)


def unauthorized(provider: str, request: Request | None = None) -> Response:
    """The provider's refusal of the credentials a request carried (or did not carry)."""
    own = emulated(provider).unauthorized
    if own is not None:
        return own(request)
    return error(provider, 401, "Unauthorized", kind="authentication_error")


def rate_limited(provider: str, decision: Decision, *, limit: int, now: float) -> Response:
    """A 429 in the provider's own shape; epoch headers are on the emulator's clock (``now``)."""
    text, headers = emulated(provider).rate_limit(decision, limit, now)
    return error(provider, 429, text, kind="rate_limit_error", headers=headers)


def unavailable(provider: str, decision: Decision, body_kind: str) -> Response:
    headers = {}
    if decision.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(decision.retry_after))
    if body_kind == "json":
        return error(
            provider, 503, "Service temporarily unavailable", kind="api_error", headers=headers
        )
    content, media = {
        "html": (_HTML_503, "text/html"),
        "empty": (b"", None),
        "binary": (_BINARY_503, "application/octet-stream"),
    }[body_kind]
    return Response(content, status_code=503, headers=headers, media_type=media)
