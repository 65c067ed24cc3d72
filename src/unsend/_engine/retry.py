"""The retry policy: which failures are retried, how long to wait, and the deadline over it all.

A policy is a frozen value. tenacity is the retry engine, driven step by step (``Retries``): a
call builds its controller only when a first attempt fails in a retryable way, hands it each
failure, and gets back the wait (or the error to raise). tenacity keeps statistics on its
controller, so each call has its own, never a shared one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import attrs
from tenacity import (
    DoSleep,
    RetryCallState,
    Retrying,
    retry_base,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from .._errors import (
    DailyLimitExceeded,
    ProviderUnavailable,
    RateLimited,
    TransportError,
    UnsendError,
)

__all__ = ["DEFAULT_RETRY_STATUSES", "RetryEvent", "RetryPolicy", "Retries"]

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


class retry_if_policy(retry_base):
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        if outcome is None or not outcome.failed:
            return False
        return self.policy.should_retry(outcome.exception())  # type: ignore[arg-type]


class wait_advised(wait_base):
    """The wait the response asked for, else the fallback backoff."""

    def __init__(self, advice: Callable[[], float | None], fallback: wait_base) -> None:
        self.advice = advice
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        advised = self.advice()
        return advised if advised is not None else self.fallback(retry_state)


class stop_before_deadline(stop_base):
    """Stop when the upcoming wait would end past the deadline (tenacity computes it first)."""

    def __init__(self, monotonic: Callable[[], float], deadline_at: float) -> None:
        self.monotonic = monotonic
        self.deadline_at = deadline_at

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.monotonic() + retry_state.upcoming_sleep >= self.deadline_at


@functools.lru_cache(maxsize=32)
def strategies(policy: RetryPolicy) -> tuple[retry_base, wait_base, stop_base]:
    """The stateless tenacity pieces of a policy, built once per policy value, not per cancel."""
    return retry_if_policy(policy), policy.backoff(), stop_after_attempt(policy.max_attempts)


def _never_sleep(seconds: float) -> None:
    raise AssertionError("the drivers sleep, never tenacity")


class Retries:
    """One call's tenacity controller, stepped by hand: told each failure, answers the wait.

    Built after the first attempt failed retryably, so its attempt count starts there. The wait
    is the response's advice (``Retry-After`` and the like) or backoff; tenacity stops before a
    wait that would end at or past the deadline, and after ``max_attempts``; then, or for a
    failure that is not retryable, ``wait_after`` raises the error itself.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        attempts: int,
        *,
        advice: Callable[[], float | None],
        monotonic: Callable[[], float],
        deadline_at: float,
        before_sleep: Callable[[UnsendError, float], None],
    ) -> None:
        retry, backoff, stop_attempts = strategies(policy)
        self.retrying = Retrying(
            sleep=_never_sleep,
            retry=retry,
            wait=wait_advised(advice, backoff),
            stop=stop_attempts | stop_before_deadline(monotonic, deadline_at),
            before_sleep=lambda state: before_sleep(
                state.outcome.exception(),  # type: ignore[union-attr, arg-type]
                state.upcoming_sleep,
            ),
            reraise=True,
        )
        self.retrying.begin()
        self.state = RetryCallState(self.retrying, fn=None, args=(), kwargs={})
        self.state.attempt_number = attempts

    def wait_after(self, error: UnsendError) -> float:
        """Seconds to wait before the next attempt; raises ``error`` when it is final."""
        self.state.set_exception((type(error), error, error.__traceback__))
        action = self.retrying.iter(self.state)
        if not isinstance(action, DoSleep):  # pragma: no cover - tenacity raised or returned
            raise error
        self.state.prepare_for_next_attempt()
        return float(action)
