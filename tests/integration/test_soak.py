"""A bounded soak (benchmarks/soak.py) in CI: 2,400 cancels across every emulated provider (150
each) under 20% faults."""

from __future__ import annotations

import os

import pytest
from benchmarks.soak import soak

from unsend.emulator import EmulatorProcess

from ..conformance.cases import all_cases


@pytest.fixture(scope="module")
def emulator_url() -> object:
    with EmulatorProcess(seed=3) as server:
        yield server.url


def test_soak_under_faults_matches_ground_truth(emulator_url: str) -> None:
    per_provider = 1_700 if os.environ.get("UNSEND_LONG") else 150
    report = soak(emulator_url, per_provider=per_provider, concurrency=32, seed=5)
    assert set(report["providers"]) >= set(all_cases())  # every registered provider soaked
    for provider, figures in report["providers"].items():
        # Faults really were injected, and unsend got through every one of them.
        assert figures["faults_injected"] >= per_provider * 0.08, (provider, figures)
        assert figures["failed"] == 0, (provider, figures)
