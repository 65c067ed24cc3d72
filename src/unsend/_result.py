"""The values a cancel produces: Outcome, CancelResult, MessageRecord, BulkResult."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import UnsendError
from ._open_enum import OpenStrEnum

if TYPE_CHECKING:
    from ._ref import MessageRef

__all__ = [
    "BulkAnswer",
    "CheckResult",
    "MessageState",
    "MessageStatus",
    "BulkResult",
    "CancelResult",
    "ScheduleResult",
    "CourierReason",
    "CourierStatus",
    "MessageRecord",
    "Outcome",
]


class Outcome(enum.Enum):
    """What became of one message."""

    CANCELLED = "cancelled"
    """The provider cancelled it with this request."""
    ALREADY_CANCELLED = "already_cancelled"
    """It had been cancelled before (Courier says so with 409 and status CANCELED)."""
    NOT_CANCELLABLE = "not_cancellable"
    """Too late: it is already sent, or sending (OneSignal 400, Courier 409)."""
    NOT_FOUND = "not_found"
    """The provider does not know it: wrong id, already delivered (QStash), or purged."""
    REQUESTED = "requested"
    """The provider accepted the cancel and does not say whether anything was waiting (Knock's
    204). Not counted as cancelled: ``cancelled`` is False; a status read may tell more."""
    FAILED = "failed"
    """Only from ``cancel_many``: the cancel raised; the error is in ``CancelResult.error``."""


class MessageState(enum.Enum):
    """Where a message stands, as a provider's read of it says (``Canceller.status``)."""

    SCHEDULED = "scheduled"
    """Still waiting to be sent: a cancel can stop it."""
    CANCELLED = "cancelled"
    """Cancelled: it will not be sent."""
    SENT = "sent"
    """Sent, being sent, or delivered: too late to cancel."""
    FAILED = "failed"
    """The provider gave up on it (undeliverable, bounced)."""
    NOT_FOUND = "not_found"
    """The provider does not know it (QStash deletes delivered and cancelled messages)."""
    UNKNOWN = "unknown"
    """The provider's answer does not say (SendGrid keeps no state for a batch never paused)."""


@attrs.frozen
class MessageStatus:
    """A provider's read of one message, normalized; ``provider_state`` keeps its own word."""

    provider: str
    message_id: str
    state: MessageState
    provider_state: str | None = None
    status_code: int | None = None
    detail: str | None = None
    attempts: int = 1
    elapsed: float = 0.0
    name: str = attrs.field(default=attrs.Factory(lambda self: self.provider, takes_self=True))
    """The configured name it was read through (a router's key; else the provider's)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (state by name)."""
        from ._wire import status_to_dict

        return status_to_dict(self)


@attrs.frozen
class CheckResult:
    """What ``Canceller.check`` found: whether the provider accepted the configuration and
    credentials on a read-only request (nothing is cancelled), and what was asked."""

    provider: str
    ok: bool
    detail: str
    """The request sent and what it showed, or why the check failed (redacted)."""
    status_code: int | None = None
    attempts: int = 1
    elapsed: float = 0.0
    error: UnsendError | None = attrs.field(default=None, eq=False)
    name: str = attrs.field(default=attrs.Factory(lambda self: self.provider, takes_self=True))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (the error as its type and text)."""
        return {
            "provider": self.provider,
            "name": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "status_code": self.status_code,
            "attempts": self.attempts,
            "elapsed": self.elapsed,
            "error": None if self.error is None else type(self.error).__name__,
        }


class CourierStatus(OpenStrEnum):
    """Courier's ``MessageStatus``; values Courier adds later parse as pseudo-members."""

    CANCELED = "CANCELED"
    CLICKED = "CLICKED"
    DELAYED = "DELAYED"
    DELIVERED = "DELIVERED"
    DIGESTED = "DIGESTED"
    ENQUEUED = "ENQUEUED"
    FILTERED = "FILTERED"
    OPENED = "OPENED"
    ROUTED = "ROUTED"
    SENT = "SENT"
    SIMULATED = "SIMULATED"
    THROTTLED = "THROTTLED"
    UNDELIVERABLE = "UNDELIVERABLE"
    UNMAPPED = "UNMAPPED"
    UNROUTABLE = "UNROUTABLE"


class CourierReason(OpenStrEnum):
    """Courier's ``Reason`` for a status; unknown values parse as pseudo-members."""

    BOUNCED = "BOUNCED"
    FAILED = "FAILED"
    FILTERED = "FILTERED"
    NO_CHANNELS = "NO_CHANNELS"
    NO_PROVIDERS = "NO_PROVIDERS"
    OPT_IN_REQUIRED = "OPT_IN_REQUIRED"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    UNPUBLISHED = "UNPUBLISHED"
    UNSUBSCRIBED = "UNSUBSCRIBED"


@attrs.frozen
class MessageRecord:
    """The message record a provider returned with its answer (Courier's ``MessageDetails``).

    Timestamps are timezone-aware UTC datetimes (the wire carries milliseconds since the epoch).
    """

    id: str
    status: CourierStatus
    enqueued: datetime
    recipient: str
    event: str
    notification: str
    sent: datetime | None = None
    delivered: datetime | None = None
    opened: datetime | None = None
    clicked: datetime | None = None
    error: str | None = None
    reason: CourierReason | None = None


@attrs.frozen
class CancelResult:
    """The normalized answer to one cancel, whichever provider gave it."""

    provider: str
    message_id: str
    outcome: Outcome
    status_code: int | None = None
    detail: str | None = None
    record: MessageRecord | None = None
    attempts: int = 1
    elapsed: float = 0.0
    error: UnsendError | None = attrs.field(default=None, eq=False)
    name: str = attrs.field(default=attrs.Factory(lambda self: self.provider, takes_self=True))
    """The configured name it was cancelled through (a router's key; else the provider's)."""
    confirmation: MessageStatus | None = None
    """What the provider's read said after the cancel (``confirm=True``), if it was read."""

    @property
    def ref(self) -> MessageRef | None:
        """What a service stores to cancel it: ``MessageRef(name, message_id)``; None for the
        result of something that was not a ref (a router's unroutable input)."""
        from ._errors import InvalidMessageId
        from ._ref import MessageRef

        try:
            return MessageRef(self.name, self.message_id)
        except InvalidMessageId:
            return None

    @property
    def cancelled(self) -> bool:
        """True when the message will not be sent: CANCELLED or ALREADY_CANCELLED."""
        return self.outcome in (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (outcome by name, record as plain data, error as type and fields)."""
        from ._wire import result_to_dict

        return result_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> CancelResult:
        """The result ``to_dict`` gave; ``ValueError`` for anything not of that shape."""
        from ._wire import result_from_dict

        return result_from_dict(data)


@attrs.frozen
class BulkAnswer:
    """One bulk response, as an adapter reads it: a count, or a tracked bulk action."""

    cancelled: int | None
    action_id: str | None = None


@attrs.frozen
class BulkResult:
    """The sum of one bulk cancel, which may take several requests (QStash only)."""

    provider: str
    cancelled: int
    requests: int
    action_ids: tuple[str, ...] = ()
    """The tracked bulk actions today's QStash started for this cancel (see ``BulkAction``)."""
    elapsed: float = 0.0
    finished: bool = True
    """False only with ``wait=False`` while actions run on; ``cancelled`` then counts none."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of this result."""
        from ._wire import bulk_to_dict

        return bulk_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> BulkResult:
        """The result ``to_dict`` gave; ``ValueError`` for anything not of that shape."""
        from ._wire import bulk_from_dict

        return bulk_from_dict(data)


@attrs.frozen
class ScheduleResult:
    """A QStash schedule called off: the schedule's own outcome and, with ``pending=True``, the
    bulk cancel of the messages it had already produced.

    ``outcome`` is ``CANCELLED`` (deleted now) or ``NOT_FOUND`` (no such schedule, or deleted
    before); ``pending`` is None when the produced messages were left alone.
    """

    provider: str
    schedule_id: str
    outcome: Outcome
    pending: BulkResult | None = None
    status_code: int | None = None
    detail: str | None = None
    elapsed: float = 0.0

    @property
    def cancelled(self) -> int:
        """How many already-produced messages were cancelled with it."""
        return 0 if self.pending is None else self.pending.cancelled

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of this result."""
        from ._wire import schedule_to_dict

        return schedule_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> ScheduleResult:
        """The result ``to_dict`` gave; ``ValueError`` for anything not of that shape."""
        from ._wire import schedule_from_dict

        return schedule_from_dict(data)
