"""Helpers for users' own tests, and unsend's pytest plugin (registered under ``pytest11``).

Fixtures (need ``pip install 'unsend[emulator]'``):

``unsend_emulator``
    An ``EmulatorFixture`` for an emulator served on 127.0.0.1 on a free port, reset before each
    test: ``.url``, ``.credentials``, ``.seed(...)``, ``.states(...)``, ``.advance(...)``,
    ``.set_faults(...)``, ``.canceller("qstash")`` and ``.async_canceller(...)``.
``unsend_emulator_server``
    The session-wide ``EmulatorServer`` behind it.

``FakeClock`` makes retries instantaneous and observable: pass ``clock=FakeClock()`` to a
``Canceller`` and read ``clock.sleeps``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .._engine.clock import FakeClock

if TYPE_CHECKING:
    from ..emulator import EmulatorServer
    from ._emulator import EmulatorFixture

__all__ = ["EmulatorFixture", "FakeClock", "unsend_emulator", "unsend_emulator_server"]


def __getattr__(name: str) -> Any:
    # The plugin loads in every pytest run of a project that installs unsend: the emulator
    # and its fixture class load only when used.
    if name == "EmulatorFixture":
        from ._emulator import EmulatorFixture

        return EmulatorFixture
    raise AttributeError(name)


def _import_emulator() -> tuple[type[EmulatorServer], type[EmulatorFixture]]:
    try:
        from ..emulator import EmulatorServer
        from ._emulator import EmulatorFixture
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise pytest.UsageError(
            "the unsend_emulator fixture needs the emulator extra: pip install 'unsend[emulator]'"
        ) from exc
    return EmulatorServer, EmulatorFixture


@pytest.fixture(scope="session")
def unsend_emulator_server() -> Iterator[EmulatorServer]:
    """The emulator on a free loopback port for the whole test session."""
    server_class, _ = _import_emulator()
    with server_class() as server:
        yield server


@pytest.fixture
def unsend_emulator(unsend_emulator_server: EmulatorServer) -> Iterator[EmulatorFixture]:
    """The emulator's control API and cancellers aimed at it, reset for this test."""
    _, fixture_class = _import_emulator()
    client = fixture_class(unsend_emulator_server.url)
    client.reset()
    try:
        yield client
    finally:
        client.close()
