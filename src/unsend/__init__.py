"""unsend: cancel a scheduled or pending message at QStash, OneSignal or Courier with one call."""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._client import AsyncCanceller, Canceller
from ._engine.clock import Clock, SystemClock
from ._engine.retry import RetryEvent, RetryPolicy
from ._errors import (
    AuthenticationError,
    ConfigError,
    DailyLimitExceeded,
    InvalidMessageId,
    ProviderUnavailable,
    RateLimited,
    TransportError,
    UnexpectedResponse,
    UnsafeBulkCancel,
    UnsendError,
)
from ._ids import validate_message_id
from ._protocols import SupportsAsyncCancel, SupportsCancel
from ._provider import Provider
from ._result import (
    BulkResult,
    CancelResult,
    CourierReason,
    CourierStatus,
    MessageRecord,
    Outcome,
)
from ._version import __version__

if _TYPE_CHECKING:
    from ._config import from_config, from_env, from_toml, parse_dsn
    from ._registry import ProviderSpec, available_providers

# Configuration and the provider registry load on first use (PEP 562): a program that builds
# its canceller directly never pays for TOML, entry points or "did you mean".
_LAZY = {
    "from_config": "._config",
    "from_env": "._config",
    "from_toml": "._config",
    "parse_dsn": "._config",
    "available_providers": "._registry",
    "ProviderSpec": "._registry",
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'unsend' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


from .providers import Courier, OneSignal, QStash  # noqa: E402 - after the lazy table

__all__ = [
    "AsyncCanceller",
    "AuthenticationError",
    "BulkResult",
    "CancelResult",
    "Canceller",
    "Clock",
    "ConfigError",
    "Courier",
    "CourierReason",
    "CourierStatus",
    "DailyLimitExceeded",
    "InvalidMessageId",
    "MessageRecord",
    "OneSignal",
    "Outcome",
    "Provider",
    "ProviderSpec",
    "ProviderUnavailable",
    "QStash",
    "RateLimited",
    "RetryEvent",
    "RetryPolicy",
    "SupportsAsyncCancel",
    "SupportsCancel",
    "SystemClock",
    "TransportError",
    "UnexpectedResponse",
    "UnsafeBulkCancel",
    "UnsendError",
    "__version__",
    "available_providers",
    "from_config",
    "from_env",
    "from_toml",
    "parse_dsn",
    "validate_message_id",
]
