"""What QStash does as time passes: schedules firing, and bulk actions cancelling in the background.

Both run on the virtual clock, up to "now", whenever anything reads the store. A bulk action
snapshots what matched when it started (``total``) and deals with ``bulk_rate`` of them per
virtual second (all at once when no rate is set): a message whose time comes before the action
reaches it is delivered, the others are cancelled at the moment the action reaches them. A
schedule produces a message at each cron time (UTC) with its delay and its ``scheduleId``.
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime
from typing import Any, Final

import attrs

from .._input import BadInput
from .._state import Message, Store

__all__ = ["BulkActionRun", "QStashBackground", "Schedule"]

P = "qstash"
# A "* * * * *" schedule and an advance of a year would make 525,600 messages: past this many
# fires per schedule per tick, the rest of the interval is skipped (and counted as skipped).
MAX_FIRES_PER_TICK: Final = 10_000


@attrs.define
class BulkActionRun:
    id: str
    ids: list[str]
    created_ms: int
    rate: float | None
    filter: dict[str, list[str]]
    processed: int = 0
    completed_ms: int | None = None

    @property
    def state(self) -> str:
        return "FINISHED" if self.completed_ms is not None else "IN_PROGRESS"

    def json(self) -> dict[str, Any]:
        return {
            "actionId": self.id,
            "kind": "cancel",
            "state": self.state,
            "total": len(self.ids),
            "processed": self.processed,
            "createdAt": self.created_ms,
            **({"completedAt": self.completed_ms} if self.completed_ms is not None else {}),
            "filter": self.filter,
        }

    def reached_ms(self, index: int) -> int:
        """When the action deals with its ``index``-th message."""
        if self.rate is None:
            return self.created_ms
        return self.created_ms + math.ceil((index + 1) * 1000 / self.rate)


@attrs.define
class Schedule:
    id: str
    cron: str
    destination: str
    created_ms: int
    delay: float
    fields: dict[str, Any]
    next_fire_ms: int
    last_fire_ms: int | None = None
    skipped: int = 0

    def json(self) -> dict[str, Any]:
        return {
            "scheduleId": self.id,
            "cron": self.cron,
            "destination": self.destination,
            "createdAt": self.created_ms,
            "method": "POST",
            "retries": 3,
            "delay": int(self.delay),
            "isPaused": False,
            "nextScheduleTime": self.next_fire_ms,
            **({"lastScheduleTime": self.last_fire_ms} if self.last_fire_ms is not None else {}),
            **({"callerIP": self.fields["callerIp"]} if "callerIp" in self.fields else {}),
        }


def _next_fire(cron: str, after_ms: int) -> int:
    from croniter import croniter

    start = datetime.fromtimestamp(after_ms / 1000, tz=UTC)
    nxt: datetime = croniter(cron, start).get_next(datetime)
    return int(nxt.timestamp() * 1000)


def check_cron(cron: str) -> str:
    from croniter import croniter

    if not isinstance(cron, str) or len(cron) > 200 or len(cron.split()) != 5:
        raise BadInput("Upstash-Cron must be a cron expression of five fields")
    if not croniter.is_valid(cron):
        raise BadInput(f"invalid cron expression {cron!r}")
    return cron


class QStashBackground:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.actions: dict[str, BulkActionRun] = {}
        self.schedules: dict[str, Schedule] = {}
        store.tickers.append(self.run_until)

    def reset(self) -> None:
        self.actions.clear()
        self.schedules.clear()

    # -- bulk actions ------------------------------------------------------------------------

    def start_action(
        self, messages: list[Message], rate: float | None, filter: dict[str, list[str]]
    ) -> BulkActionRun:
        now = self.store.clock.now_ms()
        run = BulkActionRun(
            "bulk_" + secrets.token_hex(8), [m.id for m in messages], now, rate, filter
        )
        self.actions[run.id] = run
        self._progress(run, now)
        return run

    def in_progress(self) -> int:
        self.store.tick()
        return sum(run.completed_ms is None for run in self.actions.values())

    def _progress(self, run: BulkActionRun, now_ms: int) -> None:
        table = self.store.messages[P]
        while run.processed < len(run.ids) and (reached := run.reached_ms(run.processed)) <= now_ms:
            message = table.get(run.ids[run.processed])
            if message is not None:
                Store.settle(message, reached)  # due before the action got to it: delivered
                if message.state == "scheduled":
                    self.store.cancel(message, at_ms=reached)
            run.processed += 1
        if run.processed == len(run.ids) and run.completed_ms is None:
            run.completed_ms = run.reached_ms(len(run.ids) - 1) if run.ids else run.created_ms

    # -- schedules ---------------------------------------------------------------------------

    def create_schedule(
        self,
        cron: str,
        destination: str,
        delay: float,
        fields: dict[str, Any],
        schedule_id: str | None = None,
    ) -> Schedule:
        """A new schedule; an existing ``schedule_id`` is replaced (QStash upserts by id)."""
        now = self.store.clock.now_ms()
        schedule = Schedule(
            schedule_id or "scd_" + secrets.token_hex(10),
            check_cron(cron),
            destination,
            now,
            delay,
            fields,
            _next_fire(cron, now),
        )
        self.schedules[schedule.id] = schedule
        return schedule

    def _fire(self, schedule: Schedule, now_ms: int) -> None:
        fires = 0
        while schedule.next_fire_ms <= now_ms:
            at = schedule.next_fire_ms
            if fires < MAX_FIRES_PER_TICK:
                fields = {**schedule.fields, "scheduleId": schedule.id}
                self.store.add(P, delay=schedule.delay, fields=fields, at_ms=at)
                schedule.last_fire_ms = at
            else:
                schedule.skipped += 1
            fires += 1
            schedule.next_fire_ms = _next_fire(schedule.cron, at)

    # -- time --------------------------------------------------------------------------------

    def run_until(self, now_ms: int) -> None:
        for schedule in self.schedules.values():
            self._fire(schedule, now_ms)
        for run in self.actions.values():
            if run.completed_ms is None:
                self._progress(run, now_ms)
