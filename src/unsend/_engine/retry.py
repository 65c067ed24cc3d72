"""The retry policy: which failures are retried, how long to wait, and the deadline over it all.

A policy is a frozen value. tenacity, the retry engine, is driven from ``retrying`` and loaded
only when a first attempt fails in a retryable way.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from tenacity.wait import wait_base

from .._errors import (
    DailyLimitExceeded,
    ProviderUnavailable,
    RateLimited,
    TransportError,
    UnsendError,
)

__all__ = ["DEFAULT_RETRY_STATUSES", "RetryEvent", "RetryPolicy"]

DEFAULT_RETRY_STATUSES = frozenset({429, 502, 503, 504})


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a positive number, got {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a number >= 0, got {value!r}")


def _at_least_one(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an integer >= 1, got {value!r}")


@attrs.frozen
class RetryPolicy:
    """When and how long to retry one cancel.

    ``deadline`` bounds the whole cancel, every attempt and wait included: a wait that would end
    past it is not slept, the cancel fails at once with the provider's ``retry_after``.
    Backoff (used when the response names no wait) is exponential from ``initial`` up to ``max``,
    plus up to ``jitter`` random seconds.
    """

    max_attempts: int = attrs.field(default=4, validator=_at_least_one)
    deadline: float = attrs.field(default=30.0, validator=_positive)
    initial: float = attrs.field(default=0.5, validator=_non_negative)
    max: float = attrs.field(default=8.0, validator=_non_negative)
    jitter: float = attrs.field(default=0.5, validator=_non_negative)
    retry_statuses: frozenset[int] = attrs.field(
        default=DEFAULT_RETRY_STATUSES, converter=frozenset
    )

    @classmethod
    def never(cls, *, deadline: float = 30.0) -> RetryPolicy:
        """One attempt, no retry."""
        return cls(max_attempts=1, deadline=deadline)

    def should_retry(self, error: BaseException) -> bool:
        """True for a failure that another attempt may fix; never for an outcome or bad config."""
        if isinstance(error, TransportError):
            return True
        if isinstance(error, DailyLimitExceeded):
            return False
        if isinstance(error, RateLimited | ProviderUnavailable):
            return error.status_code in self.retry_statuses
        return False

    def backoff(self) -> wait_base:
        from tenacity import wait_exponential, wait_random

        return wait_exponential(multiplier=self.initial, max=self.max) + wait_random(0, self.jitter)


@attrs.frozen
class RetryEvent:
    """Passed to ``on_retry`` before each wait: what failed, and how long unsend will wait."""

    provider: str
    message_id: str | None
    """None for a bulk request."""
    attempt: int
    wait: float
    status_code: int | None
    error: UnsendError
