"""QStash's own operations on a canceller: bulk cancels, tracked bulk actions, schedules.

``Canceller(QStash(...))`` is a ``QStashCanceller`` (the adapter names it), so
``cancel_matching``, ``cancel_ids``, ``cancel_schedule``, ``bulk_action`` and ``bulk_actions``
are there exactly as before, and a canceller of any other provider has none of them. The steps
are built here from the plans (``_plans``) and the polling (``_follow``); the generic client
drives them as it drives a cancel.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import attrs
import httpx

from .._client import AsyncCanceller, Canceller, _CancellerBase
from .._engine.call import Call, Reply, Step
from .._errors import ScheduleCancelIncomplete, UnexpectedResponse, UnsendError
from .._result import BulkResult
from ._follow import DEFAULT_WAIT_TIMEOUT

if TYPE_CHECKING:
    from .._provider import SupportsBulkActions, SupportsBulkCancel
    from .._result import BulkAnswer, ScheduleResult
    from .._telemetry import Traced
    from ._plans import BulkPlan, Follow
    from ._values import BulkAction, BulkActionState

__all__ = ["AsyncQStashCanceller", "QStashCanceller"]


class _Pages:
    """Bounds a cursor walk: a cursor seen before (A, B, A ...) is an answer that would loop
    forever, and no walk takes more than ``MAX_PAGES`` pages."""

    MAX_PAGES = 100_000

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.seen: set[str] = set()

    def done(self, cursor: str | None) -> bool:
        if cursor is None:
            return True
        if cursor in self.seen or len(self.seen) >= self.MAX_PAGES:
            why = "repeats an earlier cursor" if cursor in self.seen else "never ends"
            raise UnexpectedResponse(f"the bulk action list {why}", provider=self.provider)
        self.seen.add(cursor)
        return False


class _QStashSteps(_CancellerBase):
    """The machines of QStash's operations, for both cancellers."""

    def _describe(self, span: Traced, done: object) -> None:
        """A bulk or schedule operation's span: what it came to."""
        from .._result import ScheduleResult

        if isinstance(done, ScheduleResult):
            span.set(outcome=done.outcome.name, status_code=done.status_code)
            done = done.pending
        if isinstance(done, BulkResult):
            span.set(cancelled_count=done.cancelled, requests=done.requests, finished=done.finished)
        super()._describe(span, done)

    def _bulk_provider(self) -> SupportsBulkCancel:
        from .._provider import SupportsBulkCancel

        if isinstance(self.provider, SupportsBulkCancel):
            return self.provider
        raise self._lacks("bulk cancel endpoint; use cancel_many")

    def _matching_steps(
        self,
        batch: int | None,
        everything: bool,
        from_date: datetime | int | None,
        to_date: datetime | int | None,
        filters: dict[str, str | Iterable[str] | None],
        wait: bool,
        wait_timeout: float,
    ) -> Generator[Step, Reply, BulkResult]:
        from ._plans import MatchingPlan, build_filters

        provider = self._bulk_provider()
        params = build_filters(filters, from_date, to_date)
        plan = MatchingPlan(provider, params, batch=batch, everything=everything)
        return self._bulk_steps(plan, self._follow(wait, wait_timeout), wait_timeout)

    def _ids_steps(self, ids: Iterable[str], chunk: int) -> Generator[Step, Reply, BulkResult]:
        from ._plans import IdsPlan

        return self._bulk_steps(IdsPlan(self._bulk_provider(), ids, chunk=chunk), None)

    def _bulk_steps(
        self, plan: BulkPlan, follow: Follow | None, wait_timeout: float | None = None
    ) -> Generator[Step, Reply, BulkResult]:
        from ._plans import bulk_steps

        provider = self._bulk_provider()

        def call_for(request: httpx.Request, within: float | None) -> Call[BulkAnswer]:
            return self._provider_call(request, provider.bulk_cancel_result, None, within)

        return bulk_steps(plan, call_for, self.clock, follow, wait_timeout)

    def _follow(self, wait: bool, wait_timeout: float) -> Follow | None:
        """Polls the tracked actions a bulk cancel started (None with ``wait=False``)."""
        from ._follow import check_wait_timeout, follow_steps

        budget = check_wait_timeout(wait_timeout)
        if not wait:
            return None

        def follow(
            action_ids: Sequence[str], deadline_at: float | None
        ) -> Generator[Step, Reply, list[BulkAction]]:
            return follow_steps(
                self.provider.name, action_ids, self._action_call, self.clock, budget, deadline_at
            )

        return follow

    def _actions_provider(self) -> SupportsBulkActions:
        from .._provider import SupportsBulkActions

        if isinstance(self.provider, SupportsBulkActions):
            return self.provider
        raise self._lacks("bulk actions")

    def _action_call(self, action_id: str, within: float | None = None) -> Call[BulkAction]:
        provider = self._actions_provider()
        request = provider.bulk_action_request(action_id)
        return self._provider_call(
            request, lambda response: provider.bulk_action_result(action_id, response), None, within
        )

    def _action_page_call(
        self, state: BulkActionState | str | None, cursor: str | None, page_size: int
    ) -> Call[tuple[list[BulkAction], str | None]]:
        from ._values import BulkActionState

        if state is not None and not isinstance(state, str):
            raise TypeError(f"state must be a BulkActionState or str, got {state!r}")
        provider = self._actions_provider()
        wanted = None if state is None else BulkActionState(state).value
        request = provider.bulk_actions_request(wanted, cursor, page_size)
        return self._provider_call(request, provider.bulk_actions_result, None)

    def _schedule_steps(
        self, schedule_id: str, pending: bool, wait: bool, wait_timeout: float
    ) -> Generator[Step, Reply, ScheduleResult]:
        from .._provider import SupportsSchedules
        from .._result import ScheduleResult
        from ._plans import MatchingPlan, build_filters

        provider = self.provider
        if not isinstance(provider, SupportsSchedules):
            raise self._lacks("schedules")
        request = provider.cancel_schedule_request(schedule_id)  # validates before anything
        follow = self._follow(wait, wait_timeout)
        plan = None
        if pending:
            params = build_filters({"schedule_id": schedule_id}, None, None)
            plan = MatchingPlan(self._bulk_provider(), params, batch=None, everything=False)

        def steps() -> Generator[Step, Reply, ScheduleResult]:
            started = self.clock.monotonic()
            parse = lambda response: provider.cancel_schedule_result(schedule_id, response)  # noqa: E731
            # The schedule first: once it is gone it produces nothing the bulk cancel could miss.
            deleted = yield from self._provider_call(request, parse, schedule_id).steps()
            done = ScheduleResult(
                provider.name,
                schedule_id,
                deleted.outcome,
                status_code=deleted.status_code,
                detail=deleted.detail,
            )
            produced = None
            if plan is not None:
                try:
                    produced = yield from self._bulk_steps(plan, follow, wait_timeout)
                except UnsendError as error:
                    # Reported whole: the deletion happened, whatever became of the rest.
                    done = attrs.evolve(done, elapsed=self.clock.monotonic() - started)
                    raise ScheduleCancelIncomplete(
                        f"schedule {schedule_id} {deleted.outcome.name.lower()}; cancelling "
                        f"the messages it produced failed: {error}",
                        result=done,
                        error=error,
                        provider=provider.name,
                        status_code=error.status_code,
                    ) from error
            return attrs.evolve(done, pending=produced, elapsed=self.clock.monotonic() - started)

        return steps()


class QStashCanceller(Canceller, _QStashSteps):
    """``Canceller`` for QStash, with its bulk cancels, bulk actions and schedules."""

    def cancel_matching(
        self,
        *,
        wait: bool = True,
        wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
        batch: int | None = None,
        everything: bool = False,
        from_date: datetime | int | None = None,
        to_date: datetime | int | None = None,
        **filters: str | Iterable[str] | None,
    ) -> BulkResult:
        """QStash: cancel every message matching the filters (docs: "Bulk cancel and schedules").

        Today's QStash runs it as a tracked bulk action: with ``wait=True`` it is followed until
        it finishes (at most ``wait_timeout`` seconds, else ``BulkActionTimeout``) and
        ``cancelled`` is its ``processed`` count; ``wait=False`` returns at once with
        ``action_ids`` and ``finished=False``. ``batch`` (QStash's deprecated ``count``) asks
        the seeds' contract for batches of that size.
        """
        steps = self._matching_steps(
            batch, everything, from_date, to_date, filters, wait, wait_timeout
        )
        return self._drive(steps, "cancel_matching")

    def cancel_ids(self, ids: Iterable[str], *, chunk: int = 100) -> BulkResult:
        """QStash: cancel these ids with the bulk endpoint, ``chunk`` ids per request."""
        return self._drive(self._ids_steps(ids, chunk), "cancel_ids")

    def cancel_schedule(
        self,
        schedule_id: str,
        *,
        pending: bool = True,
        wait: bool = True,
        wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
    ) -> ScheduleResult:
        """QStash: delete a schedule and, with ``pending=True``, cancel what it already produced."""
        return self._drive(
            self._schedule_steps(schedule_id, pending, wait, wait_timeout), "cancel_schedule"
        )

    def bulk_action(self, action_id: str) -> BulkAction:
        """QStash: one bulk action's state and progress (``BulkActionNotFound`` if unknown)."""
        return self._drive(self._action_call(action_id).steps(), "bulk_action")

    def bulk_actions(
        self, state: BulkActionState | str | None = None, *, page_size: int = 1000
    ) -> Iterator[BulkAction]:
        """QStash: every bulk action it keeps (7 days), optionally in one state; pages lazily,
        following the cursor (a page may hold fewer than ``page_size``, or none)."""
        cursor: str | None = None
        pages = _Pages(self.provider.name)
        while True:
            call = self._action_page_call(state, cursor, page_size)
            actions, cursor = self._drive(call.steps(), "bulk_actions")
            yield from actions
            if pages.done(cursor):
                return


class AsyncQStashCanceller(AsyncCanceller, _QStashSteps):
    """``AsyncCanceller`` for QStash, with its bulk cancels, bulk actions and schedules."""

    async def cancel_matching(
        self,
        *,
        wait: bool = True,
        wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
        batch: int | None = None,
        everything: bool = False,
        from_date: datetime | int | None = None,
        to_date: datetime | int | None = None,
        **filters: str | Iterable[str] | None,
    ) -> BulkResult:
        """QStash: cancel every message matching the filters (see ``Canceller.cancel_matching``)."""
        steps = self._matching_steps(
            batch, everything, from_date, to_date, filters, wait, wait_timeout
        )
        return await self._drive(steps, "cancel_matching")

    async def cancel_ids(self, ids: Iterable[str], *, chunk: int = 100) -> BulkResult:
        """QStash: cancel these ids with the bulk endpoint, ``chunk`` ids per request."""
        return await self._drive(self._ids_steps(ids, chunk), "cancel_ids")

    async def cancel_schedule(
        self,
        schedule_id: str,
        *,
        pending: bool = True,
        wait: bool = True,
        wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
    ) -> ScheduleResult:
        """QStash: delete a schedule and, with ``pending=True``, cancel what it already produced."""
        return await self._drive(
            self._schedule_steps(schedule_id, pending, wait, wait_timeout), "cancel_schedule"
        )

    async def bulk_action(self, action_id: str) -> BulkAction:
        """QStash: one bulk action's state and progress (``BulkActionNotFound`` if unknown)."""
        return await self._drive(self._action_call(action_id).steps(), "bulk_action")

    async def bulk_actions(
        self, state: BulkActionState | str | None = None, *, page_size: int = 1000
    ) -> AsyncIterator[BulkAction]:
        """QStash: every bulk action it keeps (7 days), optionally in one state; pages lazily."""
        cursor: str | None = None
        pages = _Pages(self.provider.name)
        while True:
            call = self._action_page_call(state, cursor, page_size)
            actions, cursor = await self._drive(call.steps(), "bulk_actions")
            for action in actions:
                yield action
            if pages.done(cursor):
                return
