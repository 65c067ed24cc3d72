from __future__ import annotations

import pytest

from unsend._clock import FakeClock


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a test through ``Canceller`` and through ``AsyncCanceller``."""
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
