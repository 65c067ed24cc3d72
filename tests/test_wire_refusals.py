"""What the JSON forms of results (``from_dict``) and Courier's message record make of every
field gone, null or of another type, pinned exactly in ``tests/exact/wire.json``.

``test_wire.py`` proves what must hold (a result round-trips; anything else is refused, never
coerced); this pins each refusal's words and each default taken, so that no change to them
goes unnoticed. After an intended change: ``UNSEND_UPDATE_EXACT=1 .venv/bin/python -m pytest
tests/test_wire_refusals.py``, and read the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import unsend
from tests.exact_pins import check_pinned, variants
from tests.helpers import courier_record
from unsend import CancelResult, MessageState, MessageStatus, Outcome
from unsend._record import RecordError, parse_message_record

PINNED = Path(__file__).parent / "exact" / "wire.json"

_READ = MessageStatus(
    "courier", "1-a", MessageState.CANCELLED, "CANCELED", 200, "read", attempts=1, elapsed=0.1
)
SAMPLES: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "cancelled, through a name": (
        CancelResult.from_dict,
        CancelResult(
            "qstash", "m-1", Outcome.CANCELLED, 200, "ok", attempts=2, elapsed=0.5, name="hooks"
        ),
    ),
    "confirmed": (
        CancelResult.from_dict,
        CancelResult("courier", "1-a", Outcome.CANCELLED, 200, confirmation=_READ),
    ),
    "failed, unexpected": (
        CancelResult.from_dict,
        CancelResult(
            "courier",
            "1-a",
            Outcome.FAILED,
            error=unsend.UnexpectedResponse("odd", status_code=200, body_excerpt="<html>"),
        ),
    ),
    "failed, rate limited": (
        CancelResult.from_dict,
        CancelResult(
            "qstash", "m-1", Outcome.FAILED, error=unsend.RateLimited("slow", retry_after=3)
        ),
    ),
    "failed, bulk timeout": (
        CancelResult.from_dict,
        CancelResult(
            "qstash",
            "m-1",
            Outcome.FAILED,
            error=unsend.BulkActionTimeout("wait", action_ids=("a",), processed=1, total=2),
        ),
    ),
    "bulk": (
        unsend.BulkResult.from_dict,
        unsend.BulkResult("qstash", 3, 1, ("a-1",), 0.5, finished=False),
    ),
    "schedule": (
        unsend.ScheduleResult.from_dict,
        unsend.ScheduleResult(
            "qstash",
            "s-1",
            Outcome.CANCELLED,
            pending=unsend.BulkResult("qstash", 1, 1, (), 0.1),
            status_code=200,
            detail="ok",
            elapsed=0.2,
        ),
    ),
}


def _outcome(read: Callable[[Any], Any], data: Any) -> Any:
    try:
        value = read(data)
    except (ValueError, TypeError, RecordError) as refused:
        return f"{type(refused).__name__}: {refused}"
    shown: dict[str, Any] = {"value": repr(value)}
    error = getattr(value, "error", None)
    if error is not None:
        shown["error"] = repr({k: v for k, v in vars(error).items() if not k.startswith("_")})
    return shown


def _readings() -> dict[str, Any]:
    out: dict[str, Any] = {}
    forms = {name: (read, sample.to_dict()) for name, (read, sample) in SAMPLES.items()}
    forms["courier record"] = (parse_message_record, courier_record("CANCELED", canceledAt=1))
    for name, (read, data) in forms.items():
        out[f"{name}: as written"] = _outcome(read, data)
        out[f"{name}: not an object"] = _outcome(read, [data])
        for shown, varied in variants(data):
            out[f"{name}: {shown}"] = _outcome(read, varied)
    return out


def test_every_field_gone_null_or_odd_is_read_as_pinned() -> None:
    check_pinned(PINNED, _readings())
