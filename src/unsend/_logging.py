"""Structured log records: one per finished cancel and one per retry, on the ``unsend`` logger.

Each record carries its facts as attributes (``extra=``), so a JSON formatter (python-json-logger,
structlog's stdlib bridge) emits them as fields: ``provider``, ``message_id``, ``ref``,
``outcome``, ``attempts``, ``status_code``, ``elapsed``; a retry also ``wait`` and ``reason``.
Never a credential: the texts they come from are redacted already, and no field holds one.

A finished cancel logs at DEBUG when it stopped the message, INFO when the provider answered it
otherwise (not found, too late, accepted only), WARNING when it failed. A router's name is the
one in ``ref`` (``routed_as``), whichever canceller does the work.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

from ._result import CancelResult, Outcome

__all__ = ["log_result", "log_retry", "logger", "routed_as", "routed_ref"]

logger = logging.getLogger("unsend")
_ROUTED: contextvars.ContextVar[str | None] = contextvars.ContextVar("unsend_routed", default=None)


@contextlib.contextmanager
def routed_as(name: str) -> Iterator[None]:
    """Results logged inside carry ``name`` (a router's configured name) in their ``ref``."""
    token = _ROUTED.set(name)
    try:
        yield
    finally:
        _ROUTED.reset(token)


def routed_ref(provider: str, message_id: str) -> str:
    """``name:id`` under the router's name when routed, else the provider's."""
    return f"{_ROUTED.get() or provider}:{message_id}"


def _level(result: CancelResult) -> int:
    if result.cancelled:
        return logging.DEBUG
    return logging.WARNING if result.outcome is Outcome.FAILED else logging.INFO


def result_fields(result: CancelResult) -> dict[str, Any]:
    name = _ROUTED.get() or result.name
    return {
        "provider": result.provider,
        "message_id": result.message_id,
        "ref": f"{name}:{result.message_id}",
        "outcome": result.outcome.name,
        "attempts": result.attempts,
        "status_code": result.status_code,
        "elapsed": round(result.elapsed, 6),
    }


def log_result(result: CancelResult) -> None:
    level = _level(result)
    if not logger.isEnabledFor(level):
        return
    fields = result_fields(result)
    why = f" ({result.detail})" if result.detail and not result.cancelled else ""
    logger.log(
        level,
        "%s %s: %s after %d attempt(s)%s",
        fields["provider"],
        fields["ref"],
        fields["outcome"],
        result.attempts,
        why,
        extra=fields,
    )


def log_retry(
    provider: str,
    message_id: str | None,
    attempt: int,
    max_attempts: int,
    status_code: int | None,
    reason: str,
    wait: float,
) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    subject = f"cancel of {message_id!r}" if message_id is not None else "bulk"
    name = _ROUTED.get() or provider
    logger.info(
        "retrying %s %s after %s; waiting %.3f s (attempt %d of %d)",
        provider,
        subject,
        reason,
        wait,
        attempt,
        max_attempts,
        extra={
            "provider": provider,
            "message_id": message_id,
            "ref": None if message_id is None else f"{name}:{message_id}",
            "attempts": attempt,
            "status_code": status_code,
            "reason": reason,
            "wait": round(wait, 6),
        },
    )
