from __future__ import annotations

import socket
from typing import Any

import pytest

from unsend._engine.clock import FakeClock


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a test through ``Canceller`` and through ``AsyncCanceller``."""
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replays must not touch the network: any connection attempt fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a cassette replay tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


# Hypothesis: a quick profile for every run, a long one for UNSEND_LONG=1.
import os  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("long" if os.environ.get("UNSEND_LONG") else "ci")


if os.environ.get("MUTANT_UNDER_TEST"):
    # Under mutmut every test runs in a process forked after a warm-up: a memo filled then
    # would hide the mutated function from the tests. Outside mutation testing: nothing.
    @pytest.fixture(autouse=True)
    def _fresh_memos() -> None:
        from unsend._engine.retrying import strategies
        from unsend._redact import _windows as _pattern
        from unsend.providers._record import _converter

        for memo in (strategies, _converter, _pattern):
            memo.cache_clear()
