"""Following QStash's tracked bulk actions until they finish, under one ``wait_timeout``.

Each action is polled (``GET /v2/bulkActions/{id}``) at once, then after 0.5 s, 1 s, 2 s ...
capped at 10 s, every sleep clipped to what is left of the wait. Each poll is an ordinary call,
so a 429 or 5xx is retried as any request is, but only within what is left of the wait: the
wait is a hard bound. When it runs out while an action is still in progress,
``BulkActionTimeout`` names the actions so the caller can follow them later. An action that is
not a cancel is never counted as one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Final

from .._engine.call import Call, Reply, Sleep, Step
from .._engine.clock import Clock
from .._errors import BulkActionTimeout, UnexpectedResponse, UnsendError
from ._values import BulkAction

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "FIRST_POLL",
    "MAX_POLL",
    "check_wait_timeout",
    "follow_steps",
    "is_cancel",
]

DEFAULT_WAIT_TIMEOUT: Final = 300.0
FIRST_POLL: Final = 0.5
MAX_POLL: Final = 10.0


def check_wait_timeout(wait_timeout: float) -> float:
    if (
        isinstance(wait_timeout, bool)
        or not isinstance(wait_timeout, int | float)
        or not math.isfinite(wait_timeout)
        or wait_timeout <= 0
    ):
        raise ValueError(f"wait_timeout must be a positive number of seconds, got {wait_timeout!r}")
    return float(wait_timeout)


def follow_steps(
    provider: str,
    action_ids: Sequence[str],
    call_for: Callable[[str, float], Call[BulkAction]],
    clock: Clock,
    wait_timeout: float,
    deadline_at: float | None = None,
) -> Generator[Step, Reply, list[BulkAction]]:
    """Poll each action until FINISHED; the finished actions, in the order given.

    ``call_for(action_id, seconds)`` is one poll, retried within at most ``seconds``: the wait
    left. The whole follow ends by ``deadline_at`` (default: ``wait_timeout`` from now), so
    slow or failing polls cannot stretch it; every loop ends there at the latest.
    """
    deadline = clock.monotonic() + wait_timeout if deadline_at is None else deadline_at
    finished: list[BulkAction] = []

    def timed_out(action_id: str, seen: list[BulkAction]) -> BulkActionTimeout:
        return BulkActionTimeout(
            f"bulk action {action_id} still in progress after {wait_timeout:g} s",
            provider=provider,
            action_ids=tuple(action_ids),
            processed=sum(a.processed for a in seen),
            total=sum(a.total for a in seen),
        )

    for action_id in action_ids:
        delay = FIRST_POLL
        seen = finished  # with the last answer about this action, once there is one
        while True:
            left = deadline - clock.monotonic()
            if left <= 0:
                raise timed_out(action_id, seen)
            try:
                action = yield from call_for(action_id, left).steps()
            except UnsendError:
                if clock.monotonic() >= deadline:  # the poll ran out of the wait, not of luck
                    raise timed_out(action_id, seen) from None
                raise
            seen = [*finished, action]
            if not is_cancel(action):
                raise UnexpectedResponse(
                    f"bulk action {action_id} is a {action.kind!r}, not a cancel",
                    provider=provider,
                )
            if action.finished:
                break
            left = deadline - clock.monotonic()
            if left <= 0:
                raise timed_out(action_id, seen)
            yield Sleep(min(delay, left))
            delay = min(delay * 2, MAX_POLL)
        finished.append(action)
    return finished


def is_cancel(action: BulkAction) -> bool:
    """Only a cancel's processed messages are cancelled ones."""
    return action.kind.lower() == "cancel"
