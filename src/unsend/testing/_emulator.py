"""``EmulatorFixture``: the emulator's control API plus providers and cancellers aimed at it.

Kept out of ``unsend.emulator`` so the emulator never imports the client it is used to test.
"""

from __future__ import annotations

from typing import Any

from .._client import AsyncCanceller, Canceller
from .._provider import Provider
from ..emulator import EmulatorClient
from ..providers import Courier, OneSignal, QStash

__all__ = ["EmulatorFixture"]


class EmulatorFixture(EmulatorClient):
    """What the ``unsend_emulator`` fixture hands a test."""

    def provider(self, name: str) -> Provider:
        c = self.credentials
        if name == "qstash":
            return QStash(c.qstash_token, base_url=self.url)
        if name == "onesignal":
            return OneSignal(c.onesignal_app_id, c.onesignal_api_key, base_url=self.url)
        if name == "courier":
            return Courier(c.courier_token, base_url=self.url)
        raise ValueError(f"unknown provider {name!r}")

    def canceller(self, name: str, **kwargs: Any) -> Canceller:
        return Canceller(self.provider(name), **kwargs)

    def async_canceller(self, name: str, **kwargs: Any) -> AsyncCanceller:
        return AsyncCanceller(self.provider(name), **kwargs)
