"""Reading one message back (``Canceller.status``, ``confirm=True``): what the adapters share.

Each adapter that documents a read builds its GET request and gives ``read_status`` a function
from the JSON body to (the id the body names, the provider's own word for the state). The word
is mapped through the adapter's table; a word the table does not know is UNKNOWN, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from .._result import MessageState, MessageStatus
from ._responses import common_error, read_json, redact, unexpected

__all__ = ["read_request", "read_status", "states"]

Reader = Callable[[Any], tuple[object, str | None]]


def states(**groups: Iterable[str]) -> dict[str, MessageState]:
    """A provider's words by state: ``states(SCHEDULED=("scheduled",), SENT=(...))``."""
    return {word: MessageState[state] for state, words in groups.items() for word in words}


def read_request(
    base_url: str, path: str, headers: Mapping[str, str], query: str | None = None
) -> httpx.Request:
    """``GET base_url + path`` with the adapter's credentials (the base URL normalized by
    ``normalize_base_url``, so without a trailing slash; the path already quoted)."""
    url = base_url + path + (f"?{query}" if query else "")
    return httpx.Request("GET", url, headers={**headers, "Accept": "application/json"})


def read_status(
    provider: str,
    message_id: str,
    response: httpx.Response,
    secrets: tuple[str, ...],
    read: Reader,
    table: Mapping[str, MessageState],
    *,
    not_found: str | None = None,
) -> MessageStatus:
    """200: the state the body names (its id must be this message's); 404: NOT_FOUND;
    anything else: the typed error every cancel gets for it."""
    status = response.status_code
    if status == 404:
        return MessageStatus(
            provider, message_id, MessageState.NOT_FOUND, status_code=status, detail=not_found
        )
    if status != 200:
        raise common_error(provider, message_id, response, secrets)
    body = read_json(provider, message_id, response, secrets)
    try:
        named, word = read(body)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        raise unexpected(
            provider, message_id, response, "200 whose body is not this read's", secrets
        ) from None
    if named != message_id:
        raise unexpected(provider, message_id, response, "200 for another message", secrets)
    if word is not None and not isinstance(word, str):  # the body's own value, read as is
        raise unexpected(provider, message_id, response, "200 whose state is not a word", secrets)
    if word is None:
        return MessageStatus(provider, message_id, MessageState.UNKNOWN, status_code=status)
    state = table.get(word, MessageState.UNKNOWN)
    shown = redact(word, secrets)[:100]
    return MessageStatus(provider, message_id, state, provider_state=shown, status_code=status)
