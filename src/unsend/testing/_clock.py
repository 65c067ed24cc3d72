"""``default_clock``: a test's clock for the cancellers an app builds itself."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TypeVar

from .._engine.clock import Clock, set_default_clock

__all__ = ["default_clock"]

C = TypeVar("C", bound=Clock)


@contextlib.contextmanager
def default_clock(clock: C) -> Iterator[C]:
    """Inside the block, a canceller or router built without ``clock=`` (from the environment,
    a DSN, a TOML file) takes ``clock``: its retries and pauses sleep on it. Process-wide, so
    it reaches cancellers built on other threads; the previous default is back on exit."""
    previous = set_default_clock(clock)
    try:
        yield clock
    finally:
        set_default_clock(previous)
