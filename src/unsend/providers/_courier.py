"""Courier: ``POST /messages/{id}/cancel`` answers 200 or 409, both with the message record.

409 is an outcome, never a failure to retry: CANCELED means it was cancelled before, any other
status means it is too late. Each cancel carries one ``Idempotency-Key``, the same on every retry.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Final

import attrs
import httpx

from .._ids import quote_message_id, validate_message_id
from .._record import RecordError, parse_message_record
from .._result import (
    CancelResult,
    CourierReason,
    CourierStatus,
    MessageRecord,
    MessageStatus,
    Outcome,
)
from .._secret import credential, masked
from ._check import PROBE_ID, probe_result
from ._responses import common_error, read_json, redact, unexpected
from ._status import read_request, read_status, states
from ._urls import Endpoint, normalize_base_url

__all__ = ["Courier"]

DEFAULT_BASE_URL: Final = "https://api.courier.com"


def _redacted(record: MessageRecord, secrets: tuple[str, ...]) -> MessageRecord:
    """The record with any echoed secret blanked out of every string field.

    Status and reason are open enums: a value Courier (or a hostile server) invents is kept as
    text, so it is redacted like the rest.
    """
    reason = record.reason
    return attrs.evolve(
        record,
        id=redact(record.id, secrets),
        status=CourierStatus.parse(redact(record.status.value, secrets)),
        recipient=redact(record.recipient, secrets),
        event=redact(record.event, secrets),
        notification=redact(record.notification, secrets),
        error=None if record.error is None else redact(record.error, secrets),
        reason=None if reason is None else CourierReason.parse(redact(reason.value, secrets)),
    )


def _describe(record: MessageRecord) -> str:
    text = f"status {record.status.value}"
    if record.reason is not None:
        text += f", reason {record.reason.value}"
    if record.error:
        text += f": {record.error}"
    return text


@attrs.frozen(init=False)
class Courier:
    """Adapter for Courier's Cancel message API (Bearer auth)."""

    name: ClassVar[str] = "courier"
    token: str = attrs.field(repr=masked)
    base_url: str
    _endpoint: Endpoint = attrs.field(init=False, repr=False, eq=False)

    def __init__(self, token: str, *, base_url: str | None = None) -> None:
        token = credential(token, key="token", provider="courier")
        resolved = (
            normalize_base_url(base_url, provider="courier") if base_url else DEFAULT_BASE_URL
        )
        self.__attrs_init__(token, resolved)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        object.__setattr__(self, "_endpoint", Endpoint(resolved, headers, method="POST"))

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values to blank out of anything shown; never part of a repr."""
        return (self.token,)

    def cancel_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        return self._endpoint.request(
            f"/messages/{quote_message_id(message_id)}/cancel",
            extra={"Idempotency-Key": str(uuid.uuid4())},
        )

    # -- reading a message back: GET /messages/{id}, the same record a cancel answers with ---

    # -- check: Get Message for an id Courier never made (404 after the token's check) --------

    def check_request(self) -> httpx.Request:
        return self.status_request(PROBE_ID)

    def check_result(self, response: httpx.Response) -> str:
        what = "GET /messages/{message_id} (an id that cannot exist)"
        return probe_result(self.name, response, self.secrets, what, accepted=(200, 404))

    def status_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        path = f"/messages/{quote_message_id(message_id)}"
        return read_request(self.base_url, path, {"Authorization": f"Bearer {self.token}"})

    def status_result(self, message_id: str, response: httpx.Response) -> MessageStatus:
        def read(body: Any) -> tuple[object, str | None]:
            status = body["status"]
            return body["id"], status if isinstance(status, str) else None

        return read_status(self.name, message_id, response, self.secrets, read, _COURIER_STATES)

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        status = response.status_code
        if status == 404:
            return CancelResult(self.name, message_id, Outcome.NOT_FOUND, status_code=status)
        if status not in (200, 409):
            raise common_error(self.name, message_id, response, self.secrets)
        body = read_json(self.name, message_id, response, self.secrets)
        try:
            record = parse_message_record(body)
        except RecordError as exc:
            text = redact(str(exc), self.secrets)
            raise unexpected(self.name, message_id, response, text, self.secrets) from None
        # Compared as sent, before redaction: an id may share a run of characters with a
        # credential (the id "emulator" and the token "emulator-courier-token").
        if record.id != message_id:
            why = f"HTTP {status} with another message's record"
            raise unexpected(self.name, message_id, response, why, self.secrets)
        record = _redacted(record, self.secrets)
        if status == 200:
            outcome = Outcome.CANCELLED
        elif record.status == CourierStatus.CANCELED:
            outcome = Outcome.ALREADY_CANCELLED
        else:
            outcome = Outcome.NOT_CANCELLABLE
        return CancelResult(
            self.name,
            message_id,
            outcome,
            status_code=status,
            detail=_describe(record),
            record=record,
        )


# Courier's MessageStatus (seed 004). FILTERED and SIMULATED say nothing of a send: UNKNOWN.
_COURIER_STATES = states(
    SCHEDULED=("ENQUEUED", "DELAYED", "DIGESTED", "THROTTLED"),
    CANCELLED=("CANCELED",),
    SENT=("ROUTED", "SENT", "DELIVERED", "OPENED", "CLICKED"),
    FAILED=("UNDELIVERABLE", "UNROUTABLE", "UNMAPPED"),
)
