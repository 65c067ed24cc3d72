"""The emulator's ground truth: every message of every provider, on a virtual clock.

A message is scheduled until its time comes (then delivered) or until it is cancelled. Time is
the real clock plus an offset that tests advance, so a message scheduled an hour ahead is
delivered by ``advance(3600)`` without waiting. Everything runs on the server's event loop, so no
lock is needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from ._input import BadInput, seconds
from ._kit import emulated

__all__ = ["STATES", "Message", "Store", "VirtualClock"]

STATES = ("scheduled", "delivered", "cancelled")


class VirtualClock:
    """Real time plus an offset that only moves forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, by: float) -> None:
        if isinstance(by, int | float) and by < 0:
            raise BadInput("the clock only moves forward")
        self.offset += seconds(by, "seconds")  # finite and bounded


@attrs.define
class Message:
    provider: str
    id: str
    created_ms: int
    not_before_ms: int
    state: str = "scheduled"
    fields: dict[str, Any] = attrs.field(factory=dict)
    settled_ms: int | None = None  # when it was delivered or cancelled

    def truth(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "id": self.id,
            "state": self.state,
            "created_ms": self.created_ms,
            "not_before_ms": self.not_before_ms,
            **({"fields": self.fields} if self.fields else {}),
        }


class Store:
    def __init__(self, clock: VirtualClock, providers: Iterable[str] | None = None) -> None:
        from ._kit import emulated_providers

        self.clock = clock
        names = emulated_providers() if providers is None else providers
        self.messages: dict[str, dict[str, Message]] = {p: {} for p in names}
        # Work that happens as time passes (QStash schedules firing, bulk actions progressing),
        # run up to "now" before anything reads the messages.
        self.tickers: list[Callable[[int], None]] = []
        self._ticking = False

    def add(
        self,
        provider: str,
        *,
        message_id: str | None = None,
        delay: float = 3600.0,
        state: str = "scheduled",
        created_ms: int | None = None,
        fields: dict[str, Any] | None = None,
        at_ms: int | None = None,
    ) -> Message:
        """A new message; ``at_ms`` is when it was made (now by default), the base of ``delay``."""
        self.check(provider, state)
        seconds(delay, "delay")  # finite and bounded: a stored NaN would poison every later query
        now = self.clock.now_ms() if at_ms is None else at_ms
        kind = emulated(provider)
        message = Message(
            provider=provider,
            id=kind.stored_id(message_id) if message_id else kind.new_id(),
            created_ms=now if created_ms is None else created_ms,
            not_before_ms=now + int(delay * 1000),
            state=state,
            fields=dict(fields or {}),
            settled_ms=None if state == "scheduled" else now,
        )
        self.messages[provider][message.id] = message
        return message

    def check(self, provider: str, state: str) -> None:
        if provider not in self.messages:
            raise BadInput(f"unknown provider {provider!r}")
        if state not in STATES:
            raise BadInput(f"unknown state {state!r}; expected one of {', '.join(STATES)}")

    def tick(self) -> int:
        """Run the time-driven work up to now; returns now in milliseconds."""
        now = self.clock.now_ms()
        if not self._ticking:
            self._ticking = True
            try:
                for ticker in self.tickers:
                    ticker(now)
            finally:
                self._ticking = False
        return now

    def get(self, provider: str, message_id: str) -> Message | None:
        self.tick()
        message = self.messages[provider].get(message_id)
        if message is not None:
            self._settle(message, self.clock.now_ms())
        return message

    def cancel(self, message: Message, at_ms: int | None = None) -> None:
        message.state = "cancelled"
        message.settled_ms = self.clock.now_ms() if at_ms is None else at_ms

    def all(self, provider: str | None = None) -> Iterator[Message]:
        now = self.tick()
        for name in (provider,) if provider else self.messages:
            for message in self.messages[name].values():
                self._settle(message, now)
                yield message

    def advance(self, seconds: float) -> int:
        """Move the clock and deliver what came due; returns how many were delivered."""
        self.clock.advance(seconds)
        now = self.tick()
        delivered = 0
        for name in self.messages:
            for message in self.messages[name].values():
                delivered += self._settle(message, now)
        return delivered

    def reset(self) -> None:
        for table in self.messages.values():
            table.clear()

    @staticmethod
    def settle(message: Message, now_ms: int) -> bool:
        """Deliver ``message`` if it came due by ``now_ms``; True if it was delivered now."""
        return Store._settle(message, now_ms)

    @staticmethod
    def _settle(message: Message, now_ms: int) -> bool:
        if message.state == "scheduled" and message.not_before_ms <= now_ms:
            message.state = "delivered"
            message.settled_ms = message.not_before_ms
            return True
        return False
