"""``EmulatorFixture``: the emulator's control API plus providers and cancellers aimed at it.

Kept out of ``unsend.emulator`` so the emulator never imports the client it is used to test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import AsyncCanceller, Canceller
from .._engine.clock import FakeClock
from .._provider import Provider
from ..emulator import EmulatorClient
from ..emulator._app import provider_config, provider_dsn
from ..emulator._kit import emulated_providers

if TYPE_CHECKING:
    from .._router import AsyncRouter, Router

__all__ = ["EmulatorClock", "EmulatorFixture"]


class EmulatorClock(FakeClock):
    """A ``FakeClock`` that agrees with the emulator: its wall time is the emulator's virtual
    time, and every sleep advances the emulator's clock by as much (nothing really waits).

    So a QStash ``Burst-RateLimit-Reset`` (an epoch time) yields the exact wait, and a bulk
    action or schedule progresses while unsend sleeps between polls.
    """

    def __init__(self, emulator: EmulatorClient) -> None:
        super().__init__(wall_start=emulator.now())
        self._emulator = emulator

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self._emulator.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        await super().asleep(seconds)
        self._emulator.advance(seconds)  # the emulator serves from its own thread or process


class EmulatorFixture(EmulatorClient):
    """What the ``unsend_emulator`` fixture hands a test."""

    def names(self) -> list[str]:
        """The emulated providers, in the registry's order (built-ins first, as unsend lists
        them), then any emulated only."""
        from .._registry import provider_names

        emulated = emulated_providers()
        registered = provider_names()
        return [n for n in registered if n in emulated] + [
            n for n in emulated if n not in registered
        ]

    def provider(self, name: str) -> Provider:
        """The provider ``name`` aimed at this emulator, with its development credentials."""
        from .._registry import provider_spec

        config = self.config(name)
        return provider_spec(name).build({k: v for k, v in config.items() if k != "provider"})

    def config(self, name: str) -> dict[str, str]:
        """The configuration mapping (as ``from_config`` takes it) for this emulator's provider."""
        return provider_config(name, self.url, self.credentials)

    def dsn(self, name: str) -> str:
        """The DSN for this emulator's provider (credentials percent-encoded)."""
        return provider_dsn(name, self.url, self.credentials)

    def env(self, prefix: str = "UNSEND_") -> dict[str, str]:
        """Environment variables for ``Router.from_env`` (one ``<NAME>_DSN`` per provider)
        and, for QStash, ``from_env`` itself (``UNSEND_DSN``)."""
        return {
            f"{prefix}DSN": self.dsn("qstash"),
            **{f"{prefix}{name.upper()}_DSN": self.dsn(name) for name in self.names()},
        }

    def router(self, **extras: Any) -> Router:
        """A ``Router`` with every provider of this emulator, under its provider's name."""
        from .._router import Router

        return Router({name: self.dsn(name) for name in self.names()}, **extras)

    def async_router(self, **extras: Any) -> AsyncRouter:
        """The ``AsyncRouter`` twin of ``router()``."""
        from .._router import AsyncRouter

        return AsyncRouter({name: self.dsn(name) for name in self.names()}, **extras)

    def clock(self) -> EmulatorClock:
        """A fake clock tied to this emulator's virtual clock (see ``EmulatorClock``)."""
        return EmulatorClock(self)

    def canceller(self, name: str, **kwargs: Any) -> Canceller:
        return Canceller(self.provider(name), **kwargs)

    def async_canceller(self, name: str, **kwargs: Any) -> AsyncCanceller:
        return AsyncCanceller(self.provider(name), **kwargs)
