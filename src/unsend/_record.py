"""Strict parsing of a provider's message record with cattrs.

cattrs coerces by default (``str("x")``, ``bool("false") is True``); values from the wire are
validated instead, so a wrong type is an ``UnexpectedResponse``, never a silently wrong record.
"""

from __future__ import annotations

import functools
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._ref import shown
from ._result import CourierReason, CourierStatus, MessageRecord

__all__ = ["RecordError", "parse_message_record"]


class RecordError(ValueError):
    """The record is not of the documented shape."""


class _Refused(ValueError):
    """A field's value refused by unsend's own hooks: its words are shown as they are."""


def _strict_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _Refused(f"expected a string, got {type(value).__name__}")
    return value


def _ms_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(f"expected milliseconds since the epoch, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused("timestamp is not finite")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):  # beyond the dates a datetime holds
        raise _Refused(f"timestamp out of range: {shown(value)}") from None


def _why(exc: BaseException, kind: type | None) -> str:
    import cattrs.v

    return str(exc) if isinstance(exc, _Refused) else cattrs.v.format_exception(exc, kind)


if TYPE_CHECKING:
    import cattrs


@functools.cache
def _converter() -> cattrs.Converter:
    """Built on first use: only Courier answers carry a record, and cattrs is slow to import."""
    import cattrs

    # Detailed validation gathers every failure (a hook's TypeError, a missing key's KeyError)
    # into one error that names where each happened.
    converter = cattrs.Converter(forbid_extra_keys=False, detailed_validation=True)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(datetime, _ms_datetime)
    converter.register_structure_hook(CourierStatus, lambda v, _: CourierStatus.parse(v))
    converter.register_structure_hook(CourierReason, lambda v, _: CourierReason.parse(v))
    return converter


def parse_message_record(data: Any) -> MessageRecord:
    """Build a ``MessageRecord`` from a decoded JSON body, or raise ``RecordError``."""
    if not isinstance(data, dict):
        raise RecordError(f"MessageDetails must be a JSON object, got {type(data).__name__}")
    import cattrs

    try:
        return _converter().structure(data, MessageRecord)
    except cattrs.BaseValidationError as exc:  # every field's failure, gathered (detailed)
        details = "; ".join(cattrs.transform_error(exc, format_exception=_why))
        raise RecordError(f"message record does not match MessageDetails: {details}") from exc
