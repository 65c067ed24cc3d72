"""What a driver does for the steps that are neither a send nor a sleep, sync and async alike.

The machine (``call``) only says what should happen; here it happens: this process's gates
are reserved and paused (under their lock), a retry is logged, counted and handed to the
caller's ``on_retry``. The fleet's gate (storage I/O) is asked sync or async by the drivers.
"""

from __future__ import annotations

from .._logging import log_retry
from .._telemetry import gate_waited, retried
from .call import Coordinate, Notify, Pause, Reply, Reserve
from .clock import Clock

__all__ = ["coordinated", "perform"]


def perform(step: Reserve | Pause | Notify, clock: Clock) -> Reply:
    if isinstance(step, Reserve):
        now = clock.monotonic()
        return max(gate.reserve(now) for gate in step.gates)
    if isinstance(step, Pause):
        for gate in step.gates:
            gate.pause_until(step.until)
        return None
    event = step.event
    reason = f"HTTP {event.status_code}" if event.status_code else type(event.error).__name__
    retried(event.attempt, event.status_code, reason, event.wait, event.provider)
    log_retry(
        event.provider,
        event.message_id,
        event.attempt,
        step.max_attempts,
        event.status_code,
        reason,
        event.wait,
    )
    if step.hook is not None:
        step.hook(event)
    return None


def coordinated(step: Coordinate, waited: float) -> float:
    """The reply to a reservation at the fleet's gate: its wait, counted as the gate's."""
    if waited:
        gate_waited(step.provider, waited)
    return waited
