"""A bounded soak (benchmarks/soak.py) in CI: 2,400 cancels at eight providers under 20% faults."""

from __future__ import annotations

import os

import pytest
from benchmarks.soak import soak

from unsend.emulator import EmulatorProcess


@pytest.fixture(scope="module")
def emulator_url() -> object:
    with EmulatorProcess(seed=3) as server:
        yield server.url


def test_soak_under_faults_matches_ground_truth(emulator_url: str) -> None:
    per_provider = 3_400 if os.environ.get("UNSEND_LONG") else 300
    report = soak(emulator_url, per_provider=per_provider, concurrency=32, seed=5)
    for provider, figures in report["providers"].items():
        # Faults really were injected, and unsend got through every one of them.
        assert figures["faults_injected"] >= per_provider * 0.08, (provider, figures)
        assert figures["failed"] == 0, (provider, figures)
