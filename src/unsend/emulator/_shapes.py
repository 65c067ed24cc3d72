"""Each provider's own shapes: error bodies, rate-limit headers, unavailable bodies."""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._faults import Decision

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
    body: dict[str, Any]
    if provider == "qstash":
        body = {"error": text}
    elif provider == "onesignal":
        body = {"errors": [text]}
    elif provider == "twilio":
        code = {401: 20003, 404: 20404, 429: 20429}.get(status, 20001)
        body = {
            "code": code,
            "message": text,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    elif provider == "resend":
        name = {
            401: "missing_api_key",
            403: "invalid_api_key",
            404: "not_found",
            429: "rate_limit_exceeded",
        }
        body = {
            "statusCode": status,
            "name": name.get(status, "application_error"),
            "message": text,
        }
    elif provider == "sendgrid":
        body = {"errors": [{"field": None, "message": text}]}
    elif provider == "knock":
        body = {"code": kind, "message": text, "status": status, "type": kind}
    elif provider == "novu":
        body = {"statusCode": status, "message": text, "timestamp": "", "path": ""}
    else:
        body = {"message": text, "type": kind}
    return JSONResponse(body, status_code=status, headers=headers)


def unauthorized(provider: str, request: Request | None = None) -> Response:
    """The provider's refusal of the credentials a request carried (or did not carry)."""
    presented = request is not None and bool(request.headers.get("authorization"))
    if provider == "resend" and presented:
        # Resend: 401 missing_api_key without a key, 403 invalid_api_key for a wrong one.
        return error(provider, 403, "API key is invalid", kind="authentication_error")
    if provider == "onesignal":
        body = {
            "errors": ["Access denied. Please include a valid App API key."],
            "reference": ["https://documentation.onesignal.com/docs/keys-and-ids"],
        }
        return JSONResponse(body, status_code=401)
    return error(provider, 401, "Unauthorized", kind="authentication_error")


def _unix_in(now: float, seconds: float) -> str:
    return str(math.ceil(now + seconds))


def rate_limited(provider: str, decision: Decision, *, limit: int, now: float) -> Response:
    """A 429 in the provider's own shape; epoch headers are on the emulator's clock (``now``)."""
    wait = decision.retry_after
    if provider == "qstash":
        if decision.kind == "daily_quota":
            midnight = (int(now) // 86400 + 1) * 86400
            headers = {
                "RateLimit-Limit": str(limit),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(midnight),
            }
            return error(provider, 429, "daily request limit exceeded", headers=headers)
        headers = {"Burst-RateLimit-Limit": str(limit), "Burst-RateLimit-Remaining": "0"}
        if wait is not None:
            headers["Burst-RateLimit-Reset"] = _unix_in(now, wait)
        return error(provider, 429, "burst rate limit exceeded", headers=headers)
    headers = {} if wait is None else {"Retry-After": str(math.ceil(wait))}
    if provider == "twilio":
        headers = {}  # Twilio documents no Retry-After for this API: backoff decides
    elif provider == "sendgrid":
        headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"}
        if wait is not None:
            headers["X-RateLimit-Reset"] = _unix_in(now, wait)
    elif provider == "resend" and wait is not None:
        headers.update({"ratelimit-limit": str(limit), "ratelimit-remaining": "0"})
        headers["ratelimit-reset"] = str(math.ceil(wait))
    text = "API rate limit exceeded" if provider == "onesignal" else "Rate limit exceeded"
    if provider == "sendgrid":
        text = "too many requests"
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
