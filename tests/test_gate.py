from __future__ import annotations

import pytest

from unsend._engine.gate import Gate


def test_an_open_gate_lets_requests_through_at_once() -> None:
    gate = Gate()
    assert [gate.reserve(10.0) for _ in range(5)] == [0.0] * 5


def test_a_pause_holds_every_request_until_its_instant() -> None:
    gate = Gate()
    gate.pause_until(12.5)
    assert gate.reserve(10.0) == 2.5
    assert gate.reserve(11.0) == 1.5
    assert gate.reserve(13.0) == 0.0


def test_a_shorter_pause_never_shortens_a_longer_one() -> None:
    gate = Gate()
    gate.pause_until(20.0)
    gate.pause_until(15.0)
    assert gate.paused_until == 20.0


def test_max_rate_spaces_requests() -> None:
    gate = Gate(max_rate=4)  # one every 0.25 s
    assert [gate.reserve(0.0) for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]
    assert gate.reserve(5.0) == 0.0  # an idle gate does not bank slots


def test_a_rate_below_one_a_second_is_a_rate() -> None:
    gate = Gate(max_rate=0.5)  # one every 2 s
    assert [gate.reserve(0.0) for _ in range(3)] == [0.0, 2.0, 4.0]


def test_pacing_resumes_after_a_pause() -> None:
    gate = Gate(max_rate=10)
    gate.pause_until(1.0)
    assert gate.reserve(0.0) == pytest.approx(1.0)
    assert gate.reserve(0.0) == pytest.approx(1.1)


@pytest.mark.parametrize("rate", [0, -1, float("inf"), float("nan")])
def test_bad_rates_are_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="max_rate"):
        Gate(rate)
