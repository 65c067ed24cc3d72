"""unsend's pytest plugin (registered under ``pytest11``): the emulator fixtures, a default
fake clock, and one test's recorded cancels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .._engine.clock import FakeClock
    from ..emulator import EmulatorServer
    from ._emulator import EmulatorFixture
    from ._recording import Recording

__all__ = ["unsend_emulator", "unsend_emulator_in_process", "unsend_emulator_server"]


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


@pytest.fixture
def unsend_emulator_in_process() -> Iterator[EmulatorFixture]:
    """A fresh emulator in this process, no port (see ``unsend.testing.InProcessEmulator``)."""
    try:
        from ._in_process import InProcessEmulator
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise pytest.UsageError(
            "the emulator fixtures need the emulator extra: pip install 'unsend[emulator]'"
        ) from exc
    with InProcessEmulator() as emulator:
        yield emulator


@pytest.fixture
def unsend_fake_clock() -> Iterator[FakeClock]:
    """A ``FakeClock`` that every canceller built during the test without ``clock=`` takes
    (``unsend.testing.default_clock``): an app configured from the environment never waits."""
    from .._engine.clock import FakeClock
    from ._clock import default_clock

    with default_clock(FakeClock()) as clock:
        yield clock


@pytest.fixture
def unsend_recording() -> Iterator[Recording]:
    """The ``recording://`` provider's cancels made during this test only."""
    from ._recording import Recording, clear_recorded

    clear_recorded()
    try:
        yield Recording()
    finally:
        clear_recorded()
