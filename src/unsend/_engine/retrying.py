"""tenacity, driven step by step: loaded on a call's first retryable failure, never before.

A call builds a ``Retries`` controller then, hands it each failure, and gets back the wait (or
the error to raise). tenacity keeps statistics on its controller, so each call has its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from tenacity import (
    DoSleep,
    RetryCallState,
    Retrying,
    retry_base,
    stop_after_attempt,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from .._errors import UnsendError
from .retry import RetryPolicy

__all__ = ["Retries", "strategies"]


class retry_if_policy(retry_base):
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> bool:
        # tenacity asks only once an attempt's outcome is set, and unsend sets only failures
        # (``Retries.wait_after``), each an UnsendError.
        outcome = retry_state.outcome
        return self.policy.should_retry(outcome.exception())  # type: ignore[union-attr,arg-type]


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
    ) -> None:
        retry, backoff, stop_attempts = strategies(policy)
        self.retrying = Retrying(
            sleep=_never_sleep,
            retry=retry,
            wait=wait_advised(advice, backoff),
            stop=stop_attempts | stop_before_deadline(monotonic, deadline_at),
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
