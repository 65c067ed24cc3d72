"""QStash's bulk actions and schedules, read from the wire (the adapter's less frequent answers).

Today's QStash runs a filter-based bulk cancel in the background as a tracked *bulk action*
(``GET /v2/bulkActions/{actionId}``: state, total, processed, times, filter). A schedule is
deleted with ``DELETE /v2/schedules/{scheduleId}``. Every body is checked field by field: an
answer of another shape is ``UnexpectedResponse``, never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx

from .._errors import BulkActionNotFound, BulkActionRefused, UnsendError
from ..providers._responses import read_json, redact, unexpected
from ._values import BulkAction, BulkActionState

__all__ = ["action_error", "parse_action", "parse_action_page"]

_MAX_MS = 1 << 53  # beyond any date QStash can mean; also keeps datetime conversion in range


class _Shape(ValueError):
    pass


def _count(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _MAX_MS:
        raise _Shape(f"{key!r} is not a count")
    return value


def _moment(data: dict[str, Any], key: str) -> datetime:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 253402300800000:
        raise _Shape(f"{key!r} is not unix milliseconds")
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _filter(value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Shape("'filter' is not an object")
    result: dict[str, tuple[str, ...]] = {}
    for key, values in value.items():
        single = isinstance(values, str | int) and not isinstance(values, bool)
        items = [values] if single else values
        if not isinstance(items, list) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in items
        ):
            raise _Shape(f"filter {key!r} is not a list of values")
        result[str(key)] = tuple(str(v) for v in items)
    return result


def _action(data: Any) -> BulkAction:
    if not isinstance(data, dict):
        raise _Shape("a bulk action is not an object")
    action_id = data.get("actionId")
    state = data.get("state")
    if not isinstance(action_id, str) or not action_id:
        raise _Shape("'actionId' is missing")
    if not isinstance(state, str) or not state:
        raise _Shape("'state' is missing")
    kind = data.get("kind", "cancel")
    total, processed = _count(data, "total"), _count(data, "processed")
    if processed > total:
        raise _Shape("'processed' is more than 'total'")
    return BulkAction(
        action_id=action_id,
        state=BulkActionState(state),
        total=total,
        processed=processed,
        created=_moment(data, "createdAt"),
        completed=None if data.get("completedAt") is None else _moment(data, "completedAt"),
        kind=kind if isinstance(kind, str) else str(kind),
        filter=_filter(data.get("filter")),
    )


def parse_action(
    provider: str, action_id: str, response: httpx.Response, secrets: Iterable[str]
) -> BulkAction:
    """The answer to ``GET /v2/bulkActions/{actionId}`` (status already 200)."""
    body = read_json(provider, None, response, secrets)
    try:
        action = _action(body)
    except _Shape as why:
        raise unexpected(provider, None, response, f"bulk action: {why}", secrets) from None
    if action.action_id != action_id:
        raise unexpected(provider, None, response, "bulk action answer names another id", secrets)
    return action


def parse_action_page(
    provider: str, response: httpx.Response, secrets: Iterable[str]
) -> tuple[list[BulkAction], str | None]:
    """One page of ``GET /v2/bulkActions``: its actions and the cursor of the next, if any."""
    body = read_json(provider, None, response, secrets)
    try:
        if not isinstance(body, dict) or not isinstance(body.get("bulkActions", []), list):
            raise _Shape("'bulkActions' is not a list")
        actions = [_action(item) for item in body.get("bulkActions", [])]
        cursor = body.get("cursor")
        if cursor is not None and not isinstance(cursor, str | int):
            raise _Shape("'cursor' is not a string")
    except _Shape as why:
        raise unexpected(provider, None, response, f"bulk action list: {why}", secrets) from None
    return actions, (str(cursor) if cursor not in (None, "", 0) else None)


def action_error(
    provider: str, action_id: str | None, response: httpx.Response, secrets: Iterable[str]
) -> UnsendError | None:
    """The bulk-action errors: 412 (a plan limit) and 404 (an unknown action id)."""
    status = response.status_code
    if status == 412:
        return BulkActionRefused(
            "QStash refused to start the bulk action (412: a plan limit, such as bulk actions "
            "already in progress)" + _said(response, secrets),
            provider=provider,
            status_code=status,
        )
    if status == 404 and action_id is not None:
        return BulkActionNotFound(
            f"QStash has no bulk action {action_id!r} (unknown, another account, or older than "
            "7 days)" + _said(response, secrets),
            provider=provider,
            status_code=status,
        )
    return None


def _said(response: httpx.Response, secrets: Iterable[str]) -> str:
    """``": <QStash's error text>"`` (blanked, at most 200 characters), or nothing."""
    try:
        body = json.loads(response.content)
    except ValueError:  # not JSON, or not UTF-8: it said nothing readable
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return f": {redact(error, secrets)[:200]}" if isinstance(error, str) and error else ""
