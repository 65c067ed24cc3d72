"""String enums that accept values the library does not know yet.

Providers add statuses over time. A response naming a new one must still parse: the unknown value
becomes a pseudo-member that compares equal to its string and is reported by ``is_known``.
"""

from __future__ import annotations

import enum
from typing import Any, Self

__all__ = ["OpenStrEnum"]

# The values seen that no enum lists, one object each, so a value seen twice gives the same
# object, as members do (kept here rather than in enum's undocumented member map).
_PSEUDO_MEMBERS: dict[tuple[type, str], Any] = {}


class OpenStrEnum(enum.StrEnum):
    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str) or not value:
            return None
        known = _PSEUDO_MEMBERS.get((cls, value))
        if known is not None:
            return known
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        return _PSEUDO_MEMBERS.setdefault((cls, value), pseudo)

    @property
    def is_known(self) -> bool:
        """False for a value the provider sent that this version of unsend does not list."""
        return self._name_ in type(self).__members__

    @classmethod
    def parse(cls, value: object) -> Self:
        """Strictly a non-empty string, as the wire gives it; anything else is a ValueError."""
        if not isinstance(value, str) or not value:
            raise ValueError(f"{cls.__name__} must be a non-empty string, got {value!r}")
        return cls(value)
