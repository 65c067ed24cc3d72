"""unsend: cancel a scheduled or pending message at QStash, OneSignal or Courier with one call."""

from ._client import AsyncCanceller, Canceller
from ._clock import Clock, SystemClock
from ._config import from_config, from_env, from_toml, parse_dsn
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
from ._registry import ProviderSpec, available_providers
from ._result import (
    BulkResult,
    CancelResult,
    CourierReason,
    CourierStatus,
    MessageRecord,
    Outcome,
)
from ._retry import RetryEvent, RetryPolicy
from .providers import Courier, OneSignal, QStash

__version__ = "0.1.0"

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
