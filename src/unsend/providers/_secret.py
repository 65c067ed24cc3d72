"""How credentials show in a repr: never."""

from __future__ import annotations

__all__ = ["masked"]


def masked(value: object) -> str:
    return "'***'" if value else "''"
