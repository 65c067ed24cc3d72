"""The emulator's state and faults as plain values: no server."""

from __future__ import annotations

import pytest

from unsend.emulator._faults import Faults, FaultState
from unsend.emulator._state import Store, VirtualClock


def test_messages_are_delivered_when_the_clock_passes_their_time() -> None:
    store = Store(VirtualClock())
    soon = store.add("qstash", delay=10)
    later = store.add("qstash", delay=100)
    assert store.advance(50) == 1
    assert (soon.state, later.state) == ("delivered", "scheduled")
    assert store.advance(60) == 1
    assert later.state == "delivered"


def test_a_cancelled_message_is_never_delivered() -> None:
    store = Store(VirtualClock())
    message = store.add("courier", delay=5)
    store.cancel(message)
    store.advance(10)
    assert message.state == "cancelled"


def test_get_settles_a_due_message() -> None:
    clock = VirtualClock()
    store = Store(clock)
    message = store.add("onesignal", delay=1)
    clock.advance(2)
    assert store.get("onesignal", message.id) is message
    assert message.state == "delivered"


@pytest.mark.parametrize(("provider", "prefix"), [("qstash", "msg_"), ("courier", "1-")])
def test_ids_look_like_the_providers(provider: str, prefix: str) -> None:
    assert Store(VirtualClock()).add(provider).id.startswith(prefix)


def test_bad_seeds_are_refused() -> None:
    store = Store(VirtualClock())
    with pytest.raises(ValueError, match="provider"):
        store.add("pigeon")
    with pytest.raises(ValueError, match="state"):
        store.add("qstash", state="lost")
    with pytest.raises(ValueError, match="forward"):
        store.advance(-1)


def test_faults_are_deterministic_under_a_seed() -> None:
    faults = Faults(seed=7, drop_rate=0.1, rate_limit_rate=0.2, unavailable_rate=0.2)
    first = [FaultState(faults).decide().kind for _ in range(1)]
    a, b = FaultState(faults), FaultState(faults)
    kinds_a = [a.decide().kind for _ in range(500)]
    kinds_b = [b.decide().kind for _ in range(500)]
    assert kinds_a == kinds_b
    assert first[0] == kinds_a[0]
    share = {k: kinds_a.count(k) / 500 for k in set(kinds_a)}
    assert 0.05 < share["drop"] < 0.15
    assert 0.14 < share["rate_limited"] < 0.26
    assert 0.14 < share["unavailable"] < 0.26


def test_max_faults_stops_injecting_after_n() -> None:
    state = FaultState(Faults(rate_limit_rate=1.0, max_faults=2))
    assert [state.decide().kind for _ in range(4)] == ["rate_limited"] * 2 + ["ok"] * 2


def test_daily_quota_refuses_after_the_quota() -> None:
    state = FaultState(Faults(daily_quota=3))
    assert [state.decide().kind for _ in range(5)] == ["ok"] * 3 + ["daily_quota"] * 2


def test_token_bucket_limits_a_burst() -> None:
    state = FaultState(Faults(limit_rps=10, limit_burst=3))
    kinds = [state.decide() for _ in range(5)]
    assert [d.kind for d in kinds] == ["ok"] * 3 + ["rate_limited"] * 2
    assert kinds[-1].retry_after == 1


@pytest.mark.parametrize(
    "settings",
    [{"drop_rate": 2}, {"unavailable_body": "xml"}, {"latency_ms": -1}, {"nonsense": 1}, []],
)
def test_bad_fault_settings_are_refused(settings: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        Faults.from_json(settings)
