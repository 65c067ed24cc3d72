"""Benchmarks run the emulator in its own process (see unsend.emulator.EmulatorProcess)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from unsend.emulator import EmulatorProcess


@contextmanager
def emulator_process(seed: int = 0) -> Iterator[str]:
    with EmulatorProcess(seed=seed) as process:
        yield process.url
