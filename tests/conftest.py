from __future__ import annotations

import os
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


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: a process per core, at most four (each starts its own emulator, and the
    tests that wait on real time gain nothing from more)."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


# Hypothesis: a quick profile for every run, a long one for UNSEND_LONG=1.

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
        from unsend._record import _converter
        from unsend._redact import _windows as _pattern

        for memo in (strategies, _converter, _pattern):
            memo.cache_clear()


# The inner loop (pytest -m "not slow") leaves out what takes seconds per test: real services
# (redis-server, Celery, a browser), subprocesses (the CLI, pip, the benchmark harness), long
# fuzzing, real-time deadline matrices, the conformance suite's second transport and the entry
# points it builds on the cancellers (routers, the fleet chunk). CI runs everything.
SLOW_PATHS = (
    "tests/fleet/",
    "tests/conformance/test_deadlines.py",
    "tests/test_docs_examples.py",
    "tests/test_docs_site.py",
    "tests/test_release.py",
    "tests/test_benchmarks_smoke.py",
    "tests/test_cli.py",
    "tests/test_fuzz.py",
    "tests/integration/test_soak.py",
    "tests/hostile/test_emulator_malformed.py",
    "tests/hostile/test_cli_ids_file.py",
    "tests/hostile/test_cancel_many_early_exit.py",  # waits on a slow server, for real
    "tests/hostile/test_compressed_bodies.py",  # builds gigabyte bombs
    "tests/integration/test_contract.py",  # OpenAPI validation of every exchange
    "tests/integration/test_cancel_many_emulator.py::test_one_429_pauses_every_worker",
)


COMPOSED = ("Router.", "AsyncRouter.", "fleet.")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        # A conformance test's entry point, reader or checker named "cli" runs the real CLI.
        runs_the_cli = callspec is not None and "cli" in callspec.params.values()
        runs_the_cli |= item.name.startswith("test_the_cli_")
        # The conformance entry points on transport="aiohttp" repeat the httpx ones on the
        # other transport: CI runs them, the inner loop keeps to the default.
        params = callspec.params.values() if callspec is not None else ()
        slow_transport = any(isinstance(v, str) and v.endswith("[aiohttp]") for v in params)
        # The routers and the fleet chunk send through the cancellers' engine: the inner loop
        # proves each guarantee on the cancellers, CI on every entry point built on them too.
        composed = item.nodeid.startswith("tests/conformance/") and any(
            isinstance(v, str) and v.startswith(COMPOSED) for v in params
        )
        if (
            item.nodeid.startswith(SLOW_PATHS)
            or runs_the_cli
            or slow_transport
            or composed
            or "_cli_" in item.name
        ):
            item.add_marker(pytest.mark.slow)
