"""What the newer adapters share: credentials, base URL, one request shape per provider.

An adapter built on ``HttpAdapter`` names its provider, says which values are secrets, and
builds a request per cancel; ``error_for`` maps what is not an outcome through
``common_error`` so 401/403, 429 and 5xx mean the same for every provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

import httpx

from .._errors import InvalidMessageId, UnsendError
from .._ids import validate_message_id
from ._responses import common_error, read_json, redact, unexpected

__all__ = ["HttpAdapter", "error_text", "match_id"]

_CONTENT_LENGTH: Final = "content-length"  # looked up case-insensitively


def match_id(message_id: str, pattern: re.Pattern[str], provider: str, shape: str) -> str:
    """The id, validated like every id and then against the provider's documented shape."""
    validate_message_id(message_id, provider=provider)
    if not pattern.fullmatch(message_id):
        shown = message_id if len(message_id) <= 80 else None
        raise InvalidMessageId(
            f"invalid message id: a {provider} id is {shape}", provider=provider, message_id=shown
        )
    return message_id


def error_text(body: Any, *keys: str) -> str | None:
    """The first string among ``keys`` of a JSON error body (``errors[0].message`` too)."""
    if isinstance(body, Mapping):
        for key in keys:
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            message = errors[0].get("message")
            if isinstance(message, str):
                return message
    return None


class HttpAdapter:
    """Mixin: ``name``, ``secrets``; ``_json`` and ``_error`` read answers safely."""

    name: ClassVar[str]

    @property
    def secrets(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _json(self, message_id: str, response: httpx.Response) -> Any:
        return read_json(self.name, message_id, response, self.secrets)

    def _unexpected(self, message_id: str, response: httpx.Response, why: str) -> UnsendError:
        return unexpected(self.name, message_id, response, why, self.secrets)

    @staticmethod
    def _safe_json(response: httpx.Response) -> object:
        """The body as JSON for an error's text, or None: never raises."""
        try:
            return response.json()
        except ValueError:
            return None

    @staticmethod
    def _bodiless(response: httpx.Response) -> bool:
        """No body, and none announced: a 204 carries none on the wire, so one whose headers
        announce a body (a portal's page, a proxy's) is not the provider's 204."""
        announced = response.headers.get(_CONTENT_LENGTH, "0").strip()
        return not response.content and announced == "0"

    def _detail(self, text: str | None) -> str | None:
        return None if text is None else redact(text, self.secrets)[:300]

    def error_for(self, message_id: str | None, response: httpx.Response) -> UnsendError:
        return common_error(self.name, message_id, response, self.secrets)
