"""Upstash QStash in one place: its adapter, tracked bulk actions, bulk plans, polling,
schedules and their values, and the cancellers that carry its own operations.

``unsend.Canceller(unsend.QStash(token))`` is a ``QStashCanceller``; importing this package
loads nothing until a name is used.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from ._adapter import QSTASH_REGIONS, QStash
    from ._canceller import AsyncQStashCanceller, QStashCanceller
    from ._values import BulkAction, BulkActionState

_LAZY = {
    "QStash": "._adapter",
    "QSTASH_REGIONS": "._adapter",
    "QStashCanceller": "._canceller",
    "AsyncQStashCanceller": "._canceller",
    "BulkAction": "._values",
    "BulkActionState": "._values",
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'unsend.qstash' has no attribute {name!r}")


__all__ = [
    "QSTASH_REGIONS",
    "AsyncQStashCanceller",
    "BulkAction",
    "BulkActionState",
    "QStash",
    "QStashCanceller",
]
