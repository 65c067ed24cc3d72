"""Results as JSON-safe dicts and back: what a queue, a log or another process can carry.

The shape is plain data: the outcome by name, a record's timestamps as milliseconds since the
epoch (as Courier sends them), an error as its type name and its fields. Texts are the ones the
values already hold, which unsend has redacted, so no shape carries a credential. ``from_dict``
is strict: a value of the wrong type is a ``ValueError``, never coerced.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from . import _errors
from ._errors import BulkActionTimeout, RateLimited, UnexpectedResponse, UnsendError
from ._ref import shown
from ._result import (
    BulkResult,
    CancelResult,
    MessageRecord,
    MessageState,
    MessageStatus,
    Outcome,
    ScheduleResult,
)

__all__ = [
    "bulk_from_dict",
    "bulk_to_dict",
    "result_from_dict",
    "result_to_dict",
    "schedule_from_dict",
    "schedule_to_dict",
]

_TIMES = ("enqueued", "sent", "delivered", "opened", "clicked")


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def record_to_dict(record: MessageRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "status": record.status.value,
        "enqueued": _ms(record.enqueued),
        "recipient": record.recipient,
        "event": record.event,
        "notification": record.notification,
        **{name: _ms(getattr(record, name)) for name in _TIMES[1:]},
        "error": record.error,
        "reason": None if record.reason is None else record.reason.value,
    }


def error_to_dict(error: UnsendError) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": type(error).__name__,
        "message": error.message,
        "status_code": error.status_code,
        "attempts": error.attempts,
    }
    if isinstance(error, RateLimited):
        data["retry_after"] = error.retry_after
    if isinstance(error, UnexpectedResponse):
        data["body_excerpt"] = error.body_excerpt
    if isinstance(error, BulkActionTimeout):
        data.update(action_ids=list(error.action_ids), processed=error.processed, total=error.total)
    return data


def result_to_dict(result: CancelResult) -> dict[str, Any]:
    return {
        "provider": result.provider,
        "message_id": result.message_id,
        "name": result.name,
        "ref": None if result.ref is None else str(result.ref),
        "outcome": result.outcome.name,
        "cancelled": result.cancelled,
        "status_code": result.status_code,
        "detail": result.detail,
        "attempts": result.attempts,
        "elapsed": result.elapsed,
        "record": None if result.record is None else record_to_dict(result.record),
        "error": None if result.error is None else error_to_dict(result.error),
        "confirmation": None
        if result.confirmation is None
        else status_to_dict(result.confirmation),
    }


def status_to_dict(status: MessageStatus) -> dict[str, Any]:
    return {
        "provider": status.provider,
        "message_id": status.message_id,
        "name": status.name,
        "state": status.state.name,
        "provider_state": status.provider_state,
        "status_code": status.status_code,
        "detail": status.detail,
        "attempts": status.attempts,
        "elapsed": status.elapsed,
    }


def bulk_to_dict(result: BulkResult) -> dict[str, Any]:
    return {
        "provider": result.provider,
        "cancelled": result.cancelled,
        "requests": result.requests,
        "action_ids": list(result.action_ids),
        "elapsed": result.elapsed,
        "finished": result.finished,
    }


def schedule_to_dict(result: ScheduleResult) -> dict[str, Any]:
    return {
        "provider": result.provider,
        "schedule_id": result.schedule_id,
        "outcome": result.outcome.name,
        "pending": None if result.pending is None else bulk_to_dict(result.pending),
        "status_code": result.status_code,
        "detail": result.detail,
        "elapsed": result.elapsed,
    }


# -- back ----------------------------------------------------------------------------------------


def _get(data: Any, key: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    value = data.get(key)
    if value is None and optional:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        named = " or ".join(k.__name__ for k in kinds)
        raise ValueError(f"{key!r} must be {named}, got {shown(value)}")
    return value


def _number(data: Any, key: str) -> float:
    value = _get(data, key, (int, float))
    # JSON's integers have no bound: one past a float's range is refused like infinity.
    number = float(value) if not isinstance(value, int) or abs(value) < 2**1023 else math.inf
    if not math.isfinite(number):
        raise ValueError(f"{key!r} must be a finite number, got {shown(value)}")
    return number


def error_from_dict(data: Any, provider: str, message_id: str | None) -> UnsendError:
    name = _get(data, "type", str)
    kind = getattr(_errors, name, None)
    if not (isinstance(kind, type) and issubclass(kind, UnsendError)):
        kind = UnsendError  # an error type this version does not know: keep its text
    extra: dict[str, Any] = {}
    if issubclass(kind, RateLimited):
        retry_after = _get(data, "retry_after", (int, float), optional=True)
        extra["retry_after"] = None if retry_after is None else _number(data, "retry_after")
    if issubclass(kind, UnexpectedResponse):
        extra["body_excerpt"] = _get(data, "body_excerpt", str, optional=True) or ""
    if issubclass(kind, BulkActionTimeout):
        extra["action_ids"] = tuple(_strings(data, "action_ids"))
        extra["processed"] = _get(data, "processed", int)
        extra["total"] = _get(data, "total", int)
    return kind(
        _get(data, "message", str),
        provider=provider,
        message_id=message_id,
        status_code=_get(data, "status_code", int, optional=True),
        attempts=_get(data, "attempts", int),
        **extra,
    )


def result_from_dict(data: Any) -> CancelResult:
    from ._record import RecordError, parse_message_record

    provider = _get(data, "provider", str)
    message_id = _get(data, "message_id", str)
    record_data = data.get("record")
    record = None
    if record_data is not None:
        try:
            record = parse_message_record(record_data)
        except RecordError as exc:
            raise ValueError(str(exc)) from None
    error_data = data.get("error")
    ref = _get(data, "ref", str, optional=True)
    name = _get(data, "name", str, optional=True)
    if name is None:  # written before "name" was: the ref's, else the provider's
        name = provider if ref is None else ref.partition(":")[0]
    if ref is not None and ref != f"{name}:{message_id}":
        raise ValueError(f"'ref' {ref!r} does not name message {message_id!r}")
    return CancelResult(
        provider,
        message_id,
        _outcome(data),
        status_code=_get(data, "status_code", int, optional=True),
        detail=_get(data, "detail", str, optional=True),
        record=record,
        attempts=_get(data, "attempts", int),
        elapsed=_number(data, "elapsed"),
        error=None if error_data is None else error_from_dict(error_data, provider, message_id),
        name=name,
        confirmation=None
        if data.get("confirmation") is None
        else status_from_dict(data["confirmation"]),
    )


def status_from_dict(data: Any) -> MessageStatus:
    state = _get(data, "state", str)
    if state not in MessageState.__members__:
        raise ValueError(f"unknown state {state!r}")
    provider = _get(data, "provider", str)
    return MessageStatus(
        provider,
        _get(data, "message_id", str),
        MessageState[state],
        provider_state=_get(data, "provider_state", str, optional=True),
        status_code=_get(data, "status_code", int, optional=True),
        detail=_get(data, "detail", str, optional=True),
        attempts=_get(data, "attempts", int),
        elapsed=_number(data, "elapsed"),
        name=_get(data, "name", str, optional=True) or provider,
    )


def _strings(data: Any, key: str) -> list[str]:
    values: list[object] = _get(data, key, list)
    strings = [i for i in values if isinstance(i, str)]
    if len(strings) != len(values):
        raise ValueError(f"{key!r} must be a list of strings")
    return strings


def _outcome(data: Any) -> Outcome:
    name = _get(data, "outcome", str)
    if name not in Outcome.__members__:
        raise ValueError(f"unknown outcome {name!r}")
    return Outcome[name]


def schedule_from_dict(data: Any) -> ScheduleResult:
    pending = data.get("pending") if isinstance(data, dict) else None
    return ScheduleResult(
        _get(data, "provider", str),
        _get(data, "schedule_id", str),
        _outcome(data),
        pending=None if pending is None else bulk_from_dict(pending),
        status_code=_get(data, "status_code", int, optional=True),
        detail=_get(data, "detail", str, optional=True),
        elapsed=_number(data, "elapsed"),
    )


def bulk_from_dict(data: Any) -> BulkResult:
    action_ids = _strings(data, "action_ids")
    finished = _get(data, "finished", bool, optional=True)
    return BulkResult(
        _get(data, "provider", str),
        _get(data, "cancelled", int),
        _get(data, "requests", int),
        tuple(action_ids),
        _number(data, "elapsed"),
        finished=True if finished is None else finished,
    )
