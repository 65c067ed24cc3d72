"""Reading responses: JSON bodies, short safe excerpts, and the statuses all providers share.

Adapters handle the statuses that are message outcomes for their provider and hand everything
else to ``common_error``, so 401/403, 429 and 5xx mean the same for every provider.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx

from .._errors import (
    AuthenticationError,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
    UnsendError,
)
from .._redact import redact, redact_then_cut

__all__ = ["EXCERPT_CHARS", "body_excerpt", "common_error", "read_json", "redact", "unexpected"]

EXCERPT_CHARS = 200


def body_excerpt(content: bytes, secrets: Iterable[str] = ()) -> str:
    """The start of a body as printable text, secrets blanked out before it is cut."""
    text = content[: EXCERPT_CHARS * 64].decode("utf-8", errors="replace")
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return redact_then_cut(text, secrets, EXCERPT_CHARS)


def unexpected(
    provider: str,
    message_id: str | None,
    response: httpx.Response,
    why: str,
    secrets: Iterable[str] = (),
) -> UnexpectedResponse:
    return UnexpectedResponse(
        why,
        provider=provider,
        message_id=message_id,
        status_code=response.status_code,
        body_excerpt=body_excerpt(response.content, secrets),
    )


def read_json(
    provider: str, message_id: str | None, response: httpx.Response, secrets: Iterable[str] = ()
) -> Any:
    """The decoded JSON body, or ``UnexpectedResponse`` for HTML, empty, truncated or non-UTF-8."""
    try:
        return json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise unexpected(
            provider, message_id, response, "response body is not JSON", secrets
        ) from None


def common_error(
    provider: str, message_id: str | None, response: httpx.Response, secrets: Iterable[str] = ()
) -> UnsendError:
    """The error for a status that is not a message outcome at this provider."""
    status = response.status_code
    where: dict[str, Any] = {
        "provider": provider,
        "message_id": message_id,
        "status_code": status,
    }
    if status in (401, 403):
        return AuthenticationError(
            f"{provider} refused the credentials; check the token and the region or base URL",
            **where,
        )
    if status == 429:
        return RateLimited(f"{provider} rate limit exceeded", **where)
    if 500 <= status <= 599:
        return ProviderUnavailable(f"{provider} is unavailable", **where)
    return unexpected(provider, message_id, response, f"unexpected HTTP {status}", secrets)
