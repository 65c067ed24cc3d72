"""Helpers for users' own tests, and unsend's pytest plugin (registered under ``pytest11``).

Fixtures (need ``pip install 'unsend[emulator]'``):

``unsend_emulator``
    An ``EmulatorFixture`` for an emulator served on 127.0.0.1 on a free port, reset before each
    test: ``.url``, ``.credentials``, ``.seed(...)``, ``.states(...)``, ``.advance(...)``,
    ``.set_faults(...)``, ``.canceller("qstash")`` and ``.async_canceller(...)``.
``unsend_emulator_server``
    The session-wide ``EmulatorServer`` behind it.

``unsend_fake_clock``
    A ``FakeClock`` every canceller built during the test takes when given no ``clock=``: for an
    app that builds its own from the environment (``Router.from_env()``), retries never wait.
``unsend_recording``
    The ``recording://`` provider's cancels during this test only, by router name.

``FakeClock`` makes retries instantaneous and observable: pass ``clock=FakeClock()`` to a
``Canceller`` and read ``clock.sleeps``; ``default_clock(clock)`` makes it the default for
cancellers built inside the ``with`` block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._engine.clock import FakeClock

if TYPE_CHECKING:
    from ._emulator import EmulatorClock, EmulatorFixture
    from ._in_process import InProcessEmulator

from ._clock import default_clock
from ._recording import (
    RecordedCancel,
    RecordingProvider,
    clear_recorded,
    recorded,
    recorded_cancels,
)

__all__ = [
    "EmulatorClock",
    "EmulatorFixture",
    "FakeClock",
    "InProcessEmulator",
    "RecordedCancel",
    "RecordingProvider",
    "clear_recorded",
    "default_clock",
    "recorded",
    "recorded_cancels",
]


def __getattr__(name: str) -> Any:
    # The emulator and its fixture class load only when used; pytest only in the plugin
    # (``unsend.testing._plugin``), so the demo and users' code import this without pytest.
    if name in ("EmulatorFixture", "EmulatorClock"):
        from . import _emulator

        return getattr(_emulator, name)
    if name == "InProcessEmulator":
        from ._in_process import InProcessEmulator

        return InProcessEmulator
    raise AttributeError(name)
