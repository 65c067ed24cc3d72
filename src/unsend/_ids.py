"""Message-id validation: the one place every adapter calls before building a URL.

Ids are opaque (a QStash id usually starts with ``msg_``, but nothing may rely on it), so only what
would change the meaning of the URL is refused: a separator that moves the request to another route
(``DELETE /v2/messages/`` is QStash's cancel-everything endpoint), an escape, a dot segment that
a client or proxy would normalise away, whitespace, control characters, or invisible format
characters (a byte-order mark, zero-width joiners, bidi controls: Unicode category Cf) that make
one id look like another.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from ._errors import InvalidMessageId

__all__ = ["MAX_MESSAGE_ID_LENGTH", "quote_message_id", "validate_message_id"]

MAX_MESSAGE_ID_LENGTH = 512
_FORBIDDEN = frozenset("/?#%\\")
# The ids providers actually issue (msg_..., UUIDs, 1-...) pass this check alone: every cancel
# pays for validation, so the character-by-character walk is kept for the rest.
_PLAIN = re.compile(r"[A-Za-z0-9_\-.:~+=@]{1,512}")


def validate_message_id(message_id: object, *, provider: str | None = None) -> str:
    """Return ``message_id`` unchanged if it addresses exactly one message, else raise."""

    def refuse(why: str) -> InvalidMessageId:
        shown = message_id if isinstance(message_id, str) and len(message_id) <= 80 else None
        return InvalidMessageId(f"invalid message id: {why}", provider=provider, message_id=shown)

    if isinstance(message_id, str) and _PLAIN.fullmatch(message_id) and message_id.strip("."):
        return message_id
    if not isinstance(message_id, str):
        raise refuse(f"expected a string, got {type(message_id).__name__}")
    if not message_id:
        raise refuse("it is empty")
    if len(message_id) > MAX_MESSAGE_ID_LENGTH:
        raise refuse(f"it is longer than {MAX_MESSAGE_ID_LENGTH} characters")
    if message_id in (".", ".."):
        raise refuse("a dot segment would be normalised out of the URL")
    for char in message_id:
        if char in _FORBIDDEN:
            raise refuse(f"it contains {char!r}, which would change the URL")
        if char.isspace():
            raise refuse("it contains whitespace")
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            raise refuse(f"it contains the control character U+{ord(char):04X}")
        if category == "Cf":
            raise refuse(f"it contains the invisible format character U+{ord(char):04X}")
    return message_id


def quote_message_id(message_id: str) -> str:
    """Percent-encode a validated id as one path segment (no character is left as 'safe')."""
    return quote(message_id, safe="")
