"""unsend: cancel a scheduled or pending message at any notification provider with one call.

``unsend.available_providers()`` lists the providers; docs/providers/ has a page for each.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._errors import (
    AuthenticationError,
    BulkActionNotFound,
    BulkActionRefused,
    BulkActionTimeout,
    ConfigError,
    DailyLimitExceeded,
    InvalidMessageId,
    ProviderUnavailable,
    RateLimited,
    ScheduleCancelIncomplete,
    TransportError,
    UnexpectedResponse,
    UnsafeBulkCancel,
    UnsendError,
)
from ._version import __version__

if _TYPE_CHECKING:
    from ._client import AsyncCanceller, Canceller
    from ._config import from_config, from_env, from_toml, parse_dsn
    from ._engine.call import OnResult, OnRetry
    from ._engine.clock import Clock, SystemClock
    from ._engine.retry import RetryEvent, RetryPolicy
    from ._ids import validate_message_id
    from ._protocols import SupportsAsyncCancel, SupportsCancel
    from ._provider import Provider
    from ._ref import MessageRef
    from ._registry import ProviderSpec, available_providers
    from ._result import (
        BulkResult,
        CancelResult,
        CheckResult,
        CourierReason,
        CourierStatus,
        MessageRecord,
        MessageState,
        MessageStatus,
        Outcome,
        ScheduleResult,
    )
    from ._router import AsyncRouter, Router
    from ._telemetry import configure_telemetry
    from .providers import (
        Airship,
        Braze,
        Brevo,
        CloudTasks,
        Courier,
        EventBridgeScheduler,
        Knock,
        Mailchimp,
        Novu,
        OneSignal,
        QStash,
        Resend,
        SendGrid,
        Sinch,
        Slack,
        Twilio,
    )
    from .qstash import AsyncQStashCanceller, BulkAction, BulkActionState, QStashCanceller

# Every name but the errors loads on first use (PEP 562): `import unsend` costs almost nothing,
# and a program pays for what it touches (a Canceller, configuration, the registry), when it
# touches it. The errors are tiny and are what `except` clauses name.
_LAZY = {
    "BulkAction": ".qstash._values",
    "QStashCanceller": ".qstash._canceller",
    "AsyncQStashCanceller": ".qstash._canceller",
    "BulkActionState": ".qstash._values",
    "AsyncCanceller": "._client",
    "Canceller": "._client",
    "from_config": "._config",
    "from_env": "._config",
    "from_toml": "._config",
    "parse_dsn": "._config",
    "Clock": "._engine.clock",
    "SystemClock": "._engine.clock",
    "RetryEvent": "._engine.retry",
    "RetryPolicy": "._engine.retry",
    "validate_message_id": "._ids",
    "OnResult": "._engine.call",
    "OnRetry": "._engine.call",
    "MessageRef": "._ref",
    "AsyncRouter": "._router",
    "Router": "._router",
    "SupportsAsyncCancel": "._protocols",
    "SupportsCancel": "._protocols",
    "Provider": "._provider",
    "ProviderSpec": "._registry",
    "available_providers": "._registry",
    "BulkResult": "._result",
    "CancelResult": "._result",
    "CheckResult": "._result",
    "CourierReason": "._result",
    "CourierStatus": "._result",
    "MessageRecord": "._result",
    "MessageState": "._result",
    "MessageStatus": "._result",
    "Outcome": "._result",
    "ScheduleResult": "._result",
    "configure_telemetry": "._telemetry",
    "Airship": ".providers",
    "Brevo": ".providers",
    "Braze": ".providers",
    "CloudTasks": ".providers",
    "Courier": ".providers",
    "EventBridgeScheduler": ".providers",
    "OneSignal": ".providers",
    "QStash": ".providers",
    "Twilio": ".providers",
    "Resend": ".providers",
    "SendGrid": ".providers",
    "Sinch": ".providers",
    "Slack": ".providers",
    "Knock": ".providers",
    "Mailchimp": ".providers",
    "Novu": ".providers",
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


__all__ = [
    "Airship",
    "AsyncCanceller",
    "AsyncQStashCanceller",
    "AsyncRouter",
    "AuthenticationError",
    "Braze",
    "Brevo",
    "BulkAction",
    "BulkActionNotFound",
    "BulkActionRefused",
    "BulkActionState",
    "BulkActionTimeout",
    "BulkResult",
    "CancelResult",
    "Canceller",
    "CheckResult",
    "Clock",
    "CloudTasks",
    "ConfigError",
    "Courier",
    "CourierReason",
    "CourierStatus",
    "DailyLimitExceeded",
    "EventBridgeScheduler",
    "InvalidMessageId",
    "Knock",
    "Mailchimp",
    "MessageRecord",
    "MessageRef",
    "MessageState",
    "MessageStatus",
    "Novu",
    "OnResult",
    "OnRetry",
    "OneSignal",
    "Outcome",
    "Provider",
    "ProviderSpec",
    "ProviderUnavailable",
    "QStash",
    "QStashCanceller",
    "RateLimited",
    "Resend",
    "RetryEvent",
    "RetryPolicy",
    "Router",
    "ScheduleCancelIncomplete",
    "ScheduleResult",
    "SendGrid",
    "Sinch",
    "Slack",
    "SupportsAsyncCancel",
    "SupportsCancel",
    "SystemClock",
    "TransportError",
    "Twilio",
    "UnexpectedResponse",
    "UnsafeBulkCancel",
    "UnsendError",
    "__version__",
    "available_providers",
    "configure_telemetry",
    "from_config",
    "from_env",
    "from_toml",
    "parse_dsn",
    "validate_message_id",
]
