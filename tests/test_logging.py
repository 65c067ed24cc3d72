"""One structured record per finished cancel and per retry, fields as record attributes."""

from __future__ import annotations

import logging

import pytest

import unsend
from unsend.testing import FakeClock, InProcessEmulator

FIELDS = ("provider", "message_id", "ref", "outcome", "attempts", "status_code", "elapsed")


@pytest.fixture
def emu() -> InProcessEmulator:
    with InProcessEmulator() as emulator:
        yield emulator


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "unsend" and hasattr(r, "outcome")]


def test_each_result_is_one_record_with_its_fields(
    emu: InProcessEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    (scheduled,) = emu.seed("courier")
    caplog.set_level(logging.DEBUG, logger="unsend")
    with emu.canceller("courier", clock=FakeClock()) as canceller:
        canceller.cancel(scheduled)
        canceller.cancel("1-unknown")
    cancelled, unknown = _records(caplog)
    assert {k: getattr(cancelled, k) for k in FIELDS} == {
        "provider": "courier",
        "message_id": scheduled,
        "ref": f"courier:{scheduled}",
        "outcome": "CANCELLED",
        "attempts": 1,
        "status_code": 200,
        "elapsed": 0.0,
    }
    assert cancelled.levelno == logging.DEBUG  # a stopped message is the quiet case
    assert (unknown.outcome, unknown.levelno) == ("NOT_FOUND", logging.INFO)


def test_a_failure_is_a_warning_and_a_retry_a_record_of_its_own(
    emu: InProcessEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    (message_id,) = emu.seed("onesignal")
    emu.set_faults("onesignal", rate_limit_rate=1.0, retry_after=2)
    caplog.set_level(logging.DEBUG, logger="unsend")
    retry = unsend.RetryPolicy(max_attempts=2, jitter=0)
    canceller = emu.canceller("onesignal", clock=FakeClock(), retry=retry)
    with canceller, pytest.raises(unsend.RateLimited):
        canceller.cancel(message_id)
    (retried,) = [r for r in caplog.records if getattr(r, "reason", None)]
    assert (retried.levelno, retried.reason, retried.wait, retried.attempts) == (
        logging.INFO,
        "HTTP 429",
        2.0,
        1,
    )
    assert retried.ref == f"onesignal:{message_id}"
    (failed,) = _records(caplog)
    assert (failed.outcome, failed.levelno, failed.attempts) == ("FAILED", logging.WARNING, 2)


def test_a_router_logs_each_result_once_under_its_own_name(
    emu: InProcessEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    one, two, three = emu.seed("courier", count=3)
    caplog.set_level(logging.DEBUG, logger="unsend")
    with unsend.Router({"mail": emu.dsn("courier")}, client=emu.sync_client) as router:
        router.cancel(f"mail:{one}")
        list(router.cancel_many([f"mail:{two}", f"mail:{three}", "nowhere:1"]))
    refs = sorted(r.ref for r in _records(caplog))
    assert refs == sorted([f"mail:{one}", f"mail:{two}", f"mail:{three}", "nowhere:1"])


def test_nothing_is_formatted_when_the_logger_is_quiet(
    emu: InProcessEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    (message_id,) = emu.seed("courier")
    caplog.set_level(logging.WARNING, logger="unsend")
    with emu.canceller("courier", clock=FakeClock()) as canceller:
        canceller.cancel(message_id)
    assert _records(caplog) == []
