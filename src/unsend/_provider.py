"""The sans-I/O ``Provider`` protocol every adapter implements.

An adapter knows one provider's HTTP contract and nothing about sending: it builds the request for
a cancel and turns the response into a ``CancelResult`` or a typed error. Whether and when to retry
is decided elsewhere (the engine), from the error alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import httpx

from ._errors import UnsendError
from ._result import BulkAnswer, CancelResult, MessageStatus

if TYPE_CHECKING:
    from .qstash._values import BulkAction

__all__ = [
    "Provider",
    "SupportsBulkActions",
    "SupportsBulkCancel",
    "SupportsCheck",
    "SupportsFollowUp",
    "SupportsSchedules",
    "SupportsStatus",
    "SupportsTransport",
]


@runtime_checkable
class Provider(Protocol):
    """One provider's cancel endpoint, as pure functions of plain values."""

    @property
    def name(self) -> str:
        """Short lower-case provider name, as used in configuration ("qstash")."""
        ...

    def cancel_request(self, message_id: str) -> httpx.Request:
        """The request that cancels ``message_id``; raises ``InvalidMessageId`` first if needed.

        Built once per cancel and re-sent unchanged on every retry of it.
        """
        ...

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        """The outcome of ``response`` (body fully read), or a typed ``UnsendError``."""
        ...


@runtime_checkable
class SupportsFollowUp(Protocol):
    """A provider whose cancel answer sometimes needs one read to be settled (SendGrid's 400:
    already cancelled, or refused?). The read is sent within the same cancel's deadline."""

    def follow_up_request(self, message_id: str, error: UnsendError) -> httpx.Request | None:
        """The read that settles ``error`` (what ``cancel_result`` raised), or None."""
        ...

    def follow_up_result(
        self, message_id: str, error: UnsendError, response: httpx.Response
    ) -> CancelResult:
        """The outcome the read shows; raises ``error`` when it settles nothing."""
        ...


@runtime_checkable
class SupportsCheck(Protocol):
    """A provider with a documented read-only request that proves its configuration and
    credentials (``Canceller.check``): nothing is cancelled."""

    def check_request(self) -> httpx.Request: ...

    def check_result(self, response: httpx.Response) -> str:
        """What the answer showed, when it accepted the credentials; else a typed error."""
        ...


@runtime_checkable
class SupportsStatus(Protocol):
    """A provider that documents reading one message (``Canceller.status``, ``confirm=True``)."""

    def status_request(self, message_id: str) -> httpx.Request:
        """The read-only request for ``message_id``; raises ``InvalidMessageId`` first."""
        ...

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        """Where the message stands, or a typed ``UnsendError``."""
        ...


@runtime_checkable
class SupportsBulkCancel(Protocol):
    """A provider with a bulk cancel endpoint (QStash)."""

    @property
    def name(self) -> str: ...
    def bulk_cancel_request(self, params: Sequence[tuple[str, str]]) -> httpx.Request: ...
    def bulk_cancel_result(self, response: httpx.Response) -> BulkAnswer: ...


@runtime_checkable
class SupportsBulkActions(Protocol):
    """A provider whose bulk cancels run as tracked actions (today's QStash)."""

    @property
    def name(self) -> str: ...
    def bulk_action_request(self, action_id: str) -> httpx.Request: ...
    def bulk_action_result(self, action_id: str, response: httpx.Response) -> BulkAction: ...
    def bulk_actions_request(
        self, state: str | None, cursor: str | None, count: int = ...
    ) -> httpx.Request: ...
    def bulk_actions_result(
        self, response: httpx.Response
    ) -> tuple[list[BulkAction], str | None]: ...


@runtime_checkable
class SupportsSchedules(Protocol):
    """A provider with schedules that produce messages (QStash)."""

    @property
    def name(self) -> str: ...
    def cancel_schedule_request(self, schedule_id: str) -> httpx.Request: ...
    def cancel_schedule_result(
        self, schedule_id: str, response: httpx.Response
    ) -> CancelResult: ...


@runtime_checkable
class SupportsTransport(Protocol):
    """A provider answered in memory (``unsend.testing.RecordingProvider``): a canceller of
    its own sends its requests through these transports, never the network."""

    def sync_transport(self) -> httpx.BaseTransport: ...
    def async_transport(self) -> httpx.AsyncBaseTransport: ...
