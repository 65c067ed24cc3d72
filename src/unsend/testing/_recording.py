"""``RecordingProvider``: an in-memory provider that records cancels (DSN ``recording://``).

For testing your own code without HTTP or an emulator, as django-anymail's test backend does
for mail: configure ``UNSEND_DSN=recording://`` (or ``{"provider": "recording"}``) and assert
on what was cancelled. Its requests never leave the process: the canceller sends them through
the provider's own transport, which answers as a provider would:

- the first cancel of an id is ``CANCELLED``, a repeated one ``ALREADY_CANCELLED``;
- ids listed in ``not_found`` are ``NOT_FOUND``, those in ``not_cancellable`` too late.

Every instance's cancels are also collected, since code under test often builds its own
canceller from configuration: ``recorded()`` lists the ids, ``recorded_cancels()`` each cancel
with the name it was routed under (a router's configured name, else "recording") and its
outcome; ``clear_recorded()`` empties both. The ``unsend_recording`` fixture gives one test's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import ClassVar
from urllib.parse import unquote

import attrs
import httpx

from .._ids import quote_message_id, validate_message_id
from .._logging import routed_ref
from .._result import CancelResult, Outcome
from ..providers._responses import unexpected

__all__ = [
    "RecordedCancel",
    "Recording",
    "RecordingProvider",
    "clear_recorded",
    "recorded",
    "recorded_cancels",
    "recording_provider",
]

BASE = "http://recording.unsend.invalid"
_LOCK = threading.Lock()
_RECORDED: list[RecordedCancel] = []


@attrs.frozen
class RecordedCancel:
    """One cancel a ``RecordingProvider`` answered."""

    name: str
    """The name it was routed under (a router's configured name), else "recording"."""
    message_id: str
    outcome: Outcome


def recorded() -> list[str]:
    """Every id any ``RecordingProvider`` cancelled (CANCELLED answers only), in order."""
    with _LOCK:
        return [c.message_id for c in _RECORDED if c.outcome is Outcome.CANCELLED]


def recorded_cancels(name: str | None = None) -> list[RecordedCancel]:
    """Every cancel any ``RecordingProvider`` answered, repeats included, in order; only
    those routed under ``name`` when given."""
    with _LOCK:
        return [c for c in _RECORDED if name is None or c.name == name]


def clear_recorded() -> None:
    with _LOCK:
        _RECORDED.clear()


class Recording:
    """One test's view of the recorded cancels (the ``unsend_recording`` fixture)."""

    def ids(self, name: str | None = None) -> list[str]:
        """The ids cancelled (CANCELLED only), in order; only under ``name`` when given."""
        return [c.message_id for c in self.cancels(name) if c.outcome is Outcome.CANCELLED]

    def cancels(self, name: str | None = None) -> list[RecordedCancel]:
        return recorded_cancels(name)


class RecordingProvider:
    """A provider that keeps what it was asked to cancel; see the module docs."""

    name: ClassVar[str] = "recording"

    def __init__(
        self, *, not_found: Iterable[str] = (), not_cancellable: Iterable[str] = ()
    ) -> None:
        self.not_found = frozenset(not_found)
        self.not_cancellable = frozenset(not_cancellable)
        self.cancelled: list[str] = []
        """The ids this provider cancelled, in order."""
        self.requests: list[str] = []
        """Every id a cancel request named, repeats included."""
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RecordingProvider(cancelled={len(self.cancelled)})"

    def cancel_request(self, message_id: str) -> httpx.Request:
        validate_message_id(message_id, provider=self.name)
        return httpx.Request("DELETE", f"{BASE}/messages/{quote_message_id(message_id)}")

    def cancel_result(self, message_id: str, response: httpx.Response) -> CancelResult:
        outcome = {
            200: Outcome.CANCELLED,
            409: Outcome.ALREADY_CANCELLED,
            404: Outcome.NOT_FOUND,
            400: Outcome.NOT_CANCELLABLE,
        }.get(response.status_code)
        if outcome is None:
            raise unexpected(self.name, message_id, response, "not a recording answer")
        return CancelResult(self.name, message_id, outcome, status_code=response.status_code)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        message_id = unquote(request.url.raw_path.decode("ascii").rpartition("/")[2])
        # The canceller sends in the cancel's own context, where a router names its route.
        name = routed_ref(self.name, message_id).split(":", 1)[0]
        with self._lock:
            self.requests.append(message_id)
            if message_id in self.not_found:
                status = 404
            elif message_id in self.not_cancellable:
                status = 400
            elif message_id in self.cancelled:
                status = 409
            else:
                status = 200
                self.cancelled.append(message_id)
            outcome = self.cancel_result(message_id, httpx.Response(status)).outcome
            with _LOCK:
                _RECORDED.append(RecordedCancel(name, message_id, outcome))
        return httpx.Response(status, request=request)

    def sync_transport(self) -> httpx.BaseTransport:
        """Where a canceller sends this provider's requests: this object, in memory."""
        return httpx.MockTransport(self._answer)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(self._answer)


def recording_provider(*, not_found: str = "", not_cancellable: str = "") -> RecordingProvider:
    """The ``recording`` provider as configuration builds it (the ``unsend.providers`` entry
    point): comma-separated ids answer as named."""

    def ids(text: str) -> list[str]:
        return [i for i in text.split(",") if i]

    return RecordingProvider(not_found=ids(not_found), not_cancellable=ids(not_cancellable))
