"""Today's QStash through both clients against the emulator: tracked bulk actions followed to
the end under a wait budget, the action list with its cursor, 412, and schedules.

The emulator's bulk actions progress over its virtual clock; ``emu.clock()`` is a fake clock
whose sleeps advance that clock, so following an action never really waits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest

import unsend
from unsend.testing import EmulatorFixture


def run(mode: str, emu: EmulatorFixture, action: Callable[[Any], Any], **options: Any) -> Any:
    if mode == "sync":
        with emu.canceller("qstash", **options) as canceller:
            return action(canceller)

    async def main() -> Any:
        async with emu.async_canceller("qstash", **options) as canceller:
            return await action(canceller)

    return anyio.run(main)


def listed(mode: str, emu: EmulatorFixture, **kwargs: Any) -> list[unsend.BulkAction]:
    if mode == "sync":
        return run(mode, emu, lambda c: list(c.bulk_actions(**kwargs)))

    async def collect(c: unsend.AsyncCanceller) -> list[unsend.BulkAction]:
        return [a async for a in c.bulk_actions(**kwargs)]

    return run(mode, emu, collect)


def test_a_tracked_action_is_followed_to_the_end(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    drip = emu.seed("qstash", count=40, fields={"label": "drip"}, delay=3600)
    keep = emu.seed("qstash", count=3, fields={"label": "keep"})
    emu.set_faults("qstash", bulk_rate=10)  # 10 messages per virtual second: 4 s in all
    clock = emu.clock()
    result = run(mode, emu, lambda c: c.cancel_matching(label="drip"), clock=clock)
    assert (result.cancelled, result.requests, result.finished) == (40, 1, True)
    # Polled at once, then after 0.5, 1 and 2 s (3.5 s: still running), then 4 s.
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    truth = emu.states("qstash")
    assert all(truth[i] == "cancelled" for i in drip)
    assert all(truth[i] == "scheduled" for i in keep)
    action = run(mode, emu, lambda c: c.bulk_action(result.action_ids[0]))
    assert action.finished
    assert (action.total, action.processed) == (40, 40)
    assert action.filter == {"label": ("drip",)}
    assert action.completed is not None
    assert action.completed >= action.created
    assert action.created.tzinfo is UTC


def test_a_message_due_before_the_action_reaches_it_is_delivered(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    """The action races delivery, as at QStash: processed counts what it dealt with."""
    emu = unsend_emulator
    soon = emu.seed("qstash", count=1, fields={"label": "drip"}, delay=0.5)
    later = emu.seed("qstash", count=9, fields={"label": "drip"}, delay=3600)
    emu.set_faults("qstash", bulk_rate=1)
    result = run(mode, emu, lambda c: c.cancel_matching(label="drip"), clock=emu.clock())
    assert result.cancelled == 10  # the action's processed count
    truth = emu.states("qstash")
    assert truth[soon[0]] == "delivered"
    assert all(truth[i] == "cancelled" for i in later)


def test_the_wait_budget_ends_in_a_typed_error(mode: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    emu.seed("qstash", count=100, fields={"label": "drip"})
    emu.set_faults("qstash", bulk_rate=1)
    clock = emu.clock()
    with pytest.raises(unsend.BulkActionTimeout) as caught:
        run(mode, emu, lambda c: c.cancel_matching(label="drip", wait_timeout=5), clock=clock)
    error = caught.value
    assert sum(clock.sleeps) == pytest.approx(5.0)  # 0.5 + 1 + 2 + 1.5 (clipped to the budget)
    assert clock.sleeps[-1] == pytest.approx(1.5)
    assert error.total == 100
    # The last poll inside the budget (at 3.5 s): no poll is sent once the wait is over.
    assert 2 <= error.processed <= 4
    assert len(error.action_ids) == 1
    assert error.action_ids[0] in str(error)
    # It runs on: following it later finds it still in progress.
    later = run(mode, emu, lambda c: c.bulk_action(error.action_ids[0]))
    assert later.state == unsend.BulkActionState.IN_PROGRESS


def test_a_plan_limit_is_bulk_action_refused(mode: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    emu.seed("qstash", count=5, fields={"label": "drip"})
    emu.set_faults("qstash", bulk_rate=0.001, bulk_max_in_progress=1)
    run(mode, emu, lambda c: c.cancel_matching(label="drip", wait=False))
    with pytest.raises(unsend.BulkActionRefused, match=r"412|plan limit") as caught:
        run(mode, emu, lambda c: c.cancel_matching(label="drip"))
    assert caught.value.status_code == 412
    assert caught.value.attempts == 1  # never retried


def test_an_unknown_action_is_bulk_action_not_found(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    with pytest.raises(unsend.BulkActionNotFound, match="bulk_nope"):
        run(mode, unsend_emulator, lambda c: c.bulk_action("bulk_nope"))


@pytest.mark.parametrize("bad", ["", "a/b", "..", "a?b", "x" * 2000])
def test_action_and_schedule_ids_are_validated_before_any_request(
    mode: str, unsend_emulator: EmulatorFixture, bad: str
) -> None:
    emu = unsend_emulator
    with pytest.raises(unsend.InvalidMessageId):
        run(mode, emu, lambda c: c.bulk_action(bad))
    with pytest.raises(unsend.InvalidMessageId):
        run(mode, emu, lambda c: c.cancel_schedule(bad))
    assert emu.stats()["qstash"] == {}


def test_the_list_follows_its_cursor_and_filters_by_state(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    emu.seed("qstash", count=2, fields={"label": "a"})
    started = [run(mode, emu, lambda c: c.cancel_matching(label="a")) for _ in range(5)]
    emu.seed("qstash", count=2, fields={"label": "b"})
    emu.set_faults("qstash", bulk_rate=0.001)
    running = run(mode, emu, lambda c: c.cancel_matching(label="b", wait=False))
    everything = listed(mode, emu, page_size=2)  # 6 actions: three pages
    assert len(everything) == 6
    assert {a.action_id for a in everything} == {
        *(r.action_ids[0] for r in started),
        running.action_ids[0],
    }
    in_progress = listed(mode, emu, state="IN_PROGRESS", page_size=2)
    assert [a.action_id for a in in_progress] == list(running.action_ids)
    finished = listed(mode, emu, state=unsend.BulkActionState.FINISHED)
    assert len(finished) == 5
    assert all(a.finished for a in finished)


def test_cancel_schedule_deletes_it_and_cancels_what_it_produced(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    schedule_id = emu.create_schedule("*/10 * * * *", "https://example.com/drip", delay=7200)
    other = emu.create_schedule("*/10 * * * *", "https://example.com/other", delay=7200)
    emu.advance(3600)  # six fires each, every message two hours out
    produced = [m for m in emu.messages("qstash") if m["fields"].get("scheduleId") == schedule_id]
    assert len(produced) == 6
    assert all(m["state"] == "scheduled" for m in produced)
    result = run(mode, emu, lambda c: c.cancel_schedule(schedule_id), clock=emu.clock())
    assert isinstance(result, unsend.ScheduleResult)
    assert result.outcome is unsend.Outcome.CANCELLED
    assert result.pending is not None
    assert result.cancelled == 6
    states = {m["id"]: m["state"] for m in emu.messages("qstash")}
    assert all(states[m["id"]] == "cancelled" for m in produced)
    assert schedule_id not in emu.schedules()
    assert other in emu.schedules()
    before = len(emu.messages("qstash"))
    emu.advance(3600)  # the deleted schedule produces nothing more; the other goes on
    after = list(emu.messages("qstash"))[before:]
    assert len(after) == 6
    assert all(m["fields"]["scheduleId"] == other for m in after)


def test_pending_false_leaves_the_produced_messages(
    mode: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    schedule_id = emu.create_schedule("0 * * * *", "https://example.com/drip", delay=86400)
    emu.advance(3 * 3600)
    result = run(mode, emu, lambda c: c.cancel_schedule(schedule_id, pending=False))
    assert (result.outcome, result.pending, result.cancelled) == (unsend.Outcome.CANCELLED, None, 0)
    states = [m["state"] for m in emu.messages("qstash")]
    assert states == ["scheduled"] * 3


def test_an_unknown_schedule_is_not_found(mode: str, unsend_emulator: EmulatorFixture) -> None:
    result = run(mode, unsend_emulator, lambda c: c.cancel_schedule("scd_unknown", pending=False))
    assert result.outcome is unsend.Outcome.NOT_FOUND
    assert result.detail == "schedule not found"


def test_results_travel_as_json(mode: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    schedule_id = emu.create_schedule("*/30 * * * *", "https://example.com/drip", delay=3600)
    emu.advance(3600)
    result = run(mode, emu, lambda c: c.cancel_schedule(schedule_id), clock=emu.clock())
    assert unsend.ScheduleResult.from_dict(result.to_dict()) == result
    assert result.to_dict()["pending"]["cancelled"] == 2


def test_the_official_sdk_drives_schedules(unsend_emulator: EmulatorFixture) -> None:
    qstash = pytest.importorskip("qstash")
    from qstash.errors import QStashError

    emu = unsend_emulator
    client = qstash.QStash(emu.credentials.qstash_token, base_url=emu.url, retry=False)
    schedule_id = client.schedule.create(
        destination="https://example.com/hook", cron="*/15 * * * *", delay="1h"
    )
    schedule = client.schedule.get(schedule_id)
    assert (schedule.cron, schedule.destination) == ("*/15 * * * *", "https://example.com/hook")
    assert [s.schedule_id for s in client.schedule.list()] == [schedule_id]
    emu.advance(3600)
    assert client.message.get(emu.messages("qstash")[0]["id"]).schedule_id == schedule_id
    client.schedule.delete(schedule_id)
    with pytest.raises(QStashError, match="404"):
        client.schedule.get(schedule_id)
    assert emu.schedules() == []


def test_a_created_time_is_an_aware_datetime() -> None:
    action = unsend.BulkAction(
        "bulk_1", unsend.BulkActionState("PAUSED"), 3, 1, datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert not action.finished  # a state this version does not know counts as running
    assert not action.state.is_known
