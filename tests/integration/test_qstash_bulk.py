"""QStash bulk cancel through both clients against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

import unsend
from tests.helpers import QSTASH_BULK_FIELDS
from unsend.testing import EmulatorFixture


@pytest.fixture
def emu(unsend_emulator: EmulatorFixture) -> EmulatorFixture:
    for i, (name, fields) in enumerate(QSTASH_BULK_FIELDS.items()):
        unsend_emulator.seed("qstash", message_id=name, fields=fields, created_ms=1_000 * (i + 1))
    return unsend_emulator


def run(mode: str, emu: EmulatorFixture, action: Callable[[Any], Any]) -> Any:
    """Run ``action(canceller)`` with a sync canceller, or awaited with an async one."""
    if mode == "sync":
        with emu.canceller("qstash") as canceller:
            return action(canceller)

    async def main() -> Any:
        async with emu.async_canceller("qstash") as canceller:
            return await action(canceller)

    return anyio.run(main)


def cancelled(emu: EmulatorFixture) -> set[str]:
    return {i for i, s in emu.states("qstash").items() if s == "cancelled"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"url": "https://a.example/x"}, {"a"}),
        ({"host": "a.example"}, {"a", "c"}),
        ({"path": "/y"}, {"b", "c"}),
        ({"label": "red"}, {"a"}),
        ({"topic_name": "t1"}, {"a", "c"}),
        ({"queue_name": "q1"}, {"a", "b"}),
        ({"flow_control_key": "k2"}, {"b"}),
        ({"schedule_id": "s3"}, {"c"}),
        ({"caller_ip": "1.1.1.1"}, {"a", "c"}),
        ({"label": ["red", "blue"]}, {"a", "b"}),
        ({"host": "a.example", "path": "/y"}, {"c"}),
        ({"label": ("red", "blue"), "queue_name": "q1", "host": ["b.example"]}, {"b"}),
        ({"from_date": 2_000}, {"b", "c"}),
        ({"to_date": 2_000}, {"a", "b"}),
        ({"from_date": 2_000, "to_date": 2_000}, {"b"}),
        ({"label": "none"}, set()),
    ],
)
@pytest.mark.parametrize("contract", ["current", "seeds"])
def test_cancel_matching_each_filter_and_combinations(
    mode: str, emu: EmulatorFixture, filters: dict[str, Any], expected: set[str], contract: str
) -> None:
    emu.set_faults("qstash", bulk_contract=contract)
    result = run(mode, emu, lambda c: c.cancel_matching(**filters))
    assert result.cancelled == len(expected)
    assert cancelled(emu) == expected
    assert result.requests == 1
    assert result.finished
    # Today's QStash answers with a tracked action (followed to the end); the seeds' at once.
    assert len(result.action_ids) == (1 if contract == "current" else 0)


def test_count_batches_repeat_until_none_is_left(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    emu.set_faults("qstash", bulk_contract="seeds")
    emu.seed("qstash", count=23, fields={"label": "drip"})
    emu.seed("qstash", count=4, fields={"label": "keep"})
    result = run(mode, emu, lambda c: c.cancel_matching(label="drip", batch=5))
    assert (result.cancelled, result.requests) == (23, 6)
    states = [m["state"] for m in emu.messages("qstash")]
    assert states.count("cancelled") == 23
    assert states.count("scheduled") == 4


def test_the_guard_sends_nothing(mode: str, emu: EmulatorFixture) -> None:
    with pytest.raises(unsend.UnsafeBulkCancel):
        run(mode, emu, lambda c: c.cancel_matching())
    with pytest.raises(unsend.UnsafeBulkCancel):
        run(mode, emu, lambda c: c.cancel_ids([]))
    assert cancelled(emu) == set()
    assert emu.stats()["qstash"] == {}


def test_everything_true_cancels_everything(mode: str, emu: EmulatorFixture) -> None:
    result = run(mode, emu, lambda c: c.cancel_matching(everything=True))
    assert result.cancelled == 3
    assert cancelled(emu) == {"a", "b", "c"}


def test_cancel_ids_in_chunks(mode: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    ids = emu.seed("qstash", count=25)
    others = emu.seed("qstash", count=5)
    result = run(mode, emu, lambda c: c.cancel_ids(iter([*ids, "msg_unknown"]), chunk=10))
    assert (result.cancelled, result.requests) == (25, 3)
    truth = emu.states("qstash")
    assert all(truth[i] == "cancelled" for i in ids)
    assert all(truth[i] == "scheduled" for i in others)


def test_wait_false_returns_the_action_at_once(mode: str, emu: EmulatorFixture) -> None:
    emu.set_faults("qstash", bulk_rate=1.0)  # one message per virtual second
    result = run(mode, emu, lambda c: c.cancel_matching(label="red", wait=False))
    assert (result.requests, result.cancelled, result.finished) == (1, 0, False)
    assert len(result.action_ids) == 1
    assert result.action_ids[0].startswith("bulk_")
    action = run(mode, emu, lambda c: c.bulk_action(result.action_ids[0]))
    assert (action.state, action.processed, action.total) == ("IN_PROGRESS", 0, 1)
    assert cancelled(emu) == set()  # it runs on at QStash; nothing waited for it


def test_bulk_requests_are_retried(mode: str, emu: EmulatorFixture) -> None:
    emu.set_faults("qstash", unavailable_rate=1.0, max_faults=2)
    fast = unsend.RetryPolicy(initial=0.01, jitter=0)

    if mode == "sync":
        with emu.canceller("qstash", retry=fast) as canceller:
            result = canceller.cancel_matching(label="red")
    else:

        async def main() -> unsend.BulkResult:
            async with emu.async_canceller("qstash", retry=fast) as canceller:
                return await canceller.cancel_matching(label="red")

        result = anyio.run(main)
    assert result.cancelled == 1
    assert emu.stats()["qstash"]["503"] == 2
