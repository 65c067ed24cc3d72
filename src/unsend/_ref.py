"""``MessageRef``: which configured provider a message went out through, and its id there.

A service stores ``str(ref)`` ("push:b2f7…") next to the message; a router cancels it through
the provider configured under that name, even after new messages go out elsewhere.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from ._errors import InvalidMessageId

__all__ = ["MessageRef", "check_name", "shown"]

NAME: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def check_name(name: object) -> str:
    """A configured name: 1-64 letters, digits, '_', '.', '-' (so never a colon)."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(f"a provider name is 1-64 letters, digits, '_', '.' or '-', got {name!r}")
    return name


@attrs.frozen
class MessageRef:
    """A frozen (name, message id) pair; ``str(ref)`` is ``"name:id"``."""

    name: str = attrs.field()
    message_id: str = attrs.field()

    @name.validator
    def _check_name(self, attribute: object, value: object) -> None:
        # As parse checks it: a name with a colon would print as a ref that parses back as
        # another one.
        if not isinstance(value, str) or not NAME.fullmatch(value):
            raise InvalidMessageId(
                f"a ref's name is 1-64 letters, digits, '_', '.' or '-', got {shown(value)}"
            )

    @message_id.validator
    def _check_id(self, attribute: object, value: object) -> None:
        if not isinstance(value, str) or not value:
            raise InvalidMessageId(f"a ref's message id is a non-empty string, got {shown(value)}")

    def __str__(self) -> str:
        return f"{self.name}:{self.message_id}"

    @classmethod
    def parse(cls, text: object) -> MessageRef:
        """Split at the first colon (ids may hold colons, names never do).

        ``InvalidMessageId`` for anything that is not ``name:id`` with a valid name and a
        non-empty id; the id itself is validated by its provider when it is cancelled.
        """
        if isinstance(text, MessageRef):
            return text
        if not isinstance(text, str) or ":" not in text:
            raise InvalidMessageId(f"a message ref looks like name:id, got {shown(text)}")
        name, _, message_id = text.partition(":")
        if not NAME.fullmatch(name) or not message_id:
            raise InvalidMessageId(f"a message ref looks like name:id, got {shown(text)}")
        return cls(name, message_id)


def shown(value: object) -> str:
    """``repr(value)`` cut to 100 characters; a repr that raises (a caller's object, an int
    too long to print) shows as its type, so describing a bad ref never fails."""
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
    return text if len(text) <= 100 else text[:97] + "..."
