"""Bulk cancels (QStash ``DELETE /v2/messages``): the filters, the guard, and the plan.

A plan is sans-I/O: it hands the client the next request, is told each answer, and says when it
is done. Both clients drive the same plans.

QStash has two contracts, and the answer says which one is speaking. Today's runs a filter-based
cancel in the background: the request asks for it (``async=true``) and the answer carries an
``actionId``, which ``follow_steps`` polls until it finishes. The seeds' answers
``{"cancelled": n}`` at once; ``MatchingPlan`` then repeats ``count`` batches (only when the
caller asks for batches: ``count`` is deprecated today) until one cancels nothing, since that
endpoint may stop early. ``IdsPlan`` sends ids in chunks; both contracts cancel ids at once.

A bulk cancel with no filter and no id cancels every message in the account. It is refused with
``UnsafeBulkCancel`` unless the caller passes ``everything=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Protocol

import attrs
import httpx

from .._engine.call import Call, Reply, Step
from .._engine.clock import Clock
from .._errors import BulkActionTimeout, UnexpectedResponse, UnsafeBulkCancel, UnsendError
from .._ids import validate_message_id
from .._provider import SupportsBulkCancel
from .._result import BulkAnswer, BulkResult

if TYPE_CHECKING:
    from ._values import BulkAction

__all__ = [
    "BULK_FILTERS",
    "MAX_BULK_REQUESTS",
    "BulkPlan",
    "IdsPlan",
    "MatchingPlan",
    "build_filters",
    "bulk_steps",
]

# Python keyword -> QStash query parameter (seed 002; callerIp replaces the deprecated callerIP).
BULK_FILTERS = {
    "topic_name": "topicName",
    "queue_name": "queueName",
    "url": "url",
    "host": "host",
    "path": "path",
    "label": "label",
    "flow_control_key": "flowControlKey",
    "schedule_id": "scheduleId",
    "caller_ip": "callerIp",
}
MAX_BATCH = 500


def _values(keyword: str, value: str | Iterable[str]) -> list[str]:
    values = [value] if isinstance(value, str) else list(value)
    if not values:
        raise ValueError(f"filter {keyword} has no values")
    for item in values:
        if not isinstance(item, str) or not item:
            raise ValueError(f"filter {keyword} takes non-empty strings, got {item!r}")
        if "," in item:
            # QStash splits values on commas: "a,b" would also match "a" and "b".
            raise ValueError(f"filter {keyword} value {item!r} contains a comma")
    return values


def _unix_ms(keyword: str, value: datetime | int) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{keyword} must be timezone-aware (or unix milliseconds)")
        return str(int(value.timestamp() * 1000))
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{keyword} must be a datetime or unix milliseconds, got {value!r}")
    return str(value)


def build_filters(
    filters: Mapping[str, str | Iterable[str] | None],
    from_date: datetime | int | None,
    to_date: datetime | int | None,
) -> list[tuple[str, str]]:
    """Query parameters for the filters; a multi-value filter repeats its key."""
    params: list[tuple[str, str]] = []
    for keyword, value in filters.items():
        if keyword not in BULK_FILTERS:
            raise TypeError(f"unknown filter {keyword!r}; expected {', '.join(BULK_FILTERS)}")
        if value is not None:
            params += [(BULK_FILTERS[keyword], v) for v in _values(keyword, value)]
    if from_date is not None:
        params.append(("fromDate", _unix_ms("from_date", from_date)))
    if to_date is not None:
        params.append(("toDate", _unix_ms("to_date", to_date)))
    return params


def _guard(provider: str, params: Sequence[tuple[str, str]], everything: bool) -> None:
    if not params and not everything:
        raise _unsafe(provider)


def _unsafe(provider: str) -> UnsafeBulkCancel:
    return UnsafeBulkCancel(
        "a bulk cancel without filters or ids cancels every message in the account; "
        "pass everything=True if that is what you mean",
        provider=provider,
    )


def _impossible(provider: str, answer: BulkAnswer, asked: str) -> UnexpectedResponse:
    """A count larger than what was asked is no count: never reported as cancelled."""
    return UnexpectedResponse(
        f"the bulk answer counts {answer.cancelled} cancelled for {asked}", provider=provider
    )


class BulkPlan(Protocol):
    """What both clients drive: the next request (None when done), each answer, the sum."""

    def next_request(self) -> httpx.Request | None: ...
    def record(self, answer: BulkAnswer) -> None: ...
    def result(self, elapsed: float) -> BulkResult: ...


class _Tally:
    """What a plan has counted so far."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.cancelled = 0
        self.requests = 0
        self.action_ids: list[str] = []

    def add(self, answer: BulkAnswer) -> None:
        self.requests += 1
        self.cancelled += answer.cancelled or 0
        if answer.action_id is not None:
            self.action_ids.append(answer.action_id)

    def result(self, elapsed: float) -> BulkResult:
        return BulkResult(
            self.provider, self.cancelled, self.requests, tuple(self.action_ids), elapsed
        )


class MatchingPlan:
    """Cancel what matches the filters, ``batch`` at a time until a batch cancels nothing."""

    def __init__(
        self,
        provider: SupportsBulkCancel,
        params: list[tuple[str, str]],
        *,
        batch: int | None,
        everything: bool,
    ) -> None:
        _guard(provider.name, params, everything)
        if batch is not None and (
            isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH
        ):
            raise ValueError(f"batch must be between 1 and {MAX_BATCH}, got {batch!r}")
        self.provider = provider
        self.params = [*params, ("async", "true")]
        if batch is not None:
            self.params.append(("count", str(batch)))
        self.batch = batch
        self.tally = _Tally(provider.name)
        self._done = False

    def next_request(self) -> httpx.Request | None:
        return None if self._done else self.provider.bulk_cancel_request(self.params)

    def record(self, answer: BulkAnswer) -> None:
        if self.batch is not None and (answer.cancelled or 0) > self.batch:
            raise _impossible(self.provider.name, answer, f"a batch of {self.batch}")
        self.tally.add(answer)
        # A tracked action runs on the provider's side: its count is not known here.
        self._done = answer.action_id is not None or self.batch is None or not answer.cancelled

    def result(self, elapsed: float) -> BulkResult:
        return self.tally.result(elapsed)


class IdsPlan:
    """Cancel the given ids, ``chunk`` per request, reading them lazily."""

    def __init__(self, provider: SupportsBulkCancel, ids: Iterable[str], *, chunk: int) -> None:
        if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
            raise ValueError(f"chunk must be an integer >= 1, got {chunk!r}")
        self.provider = provider
        self.tally = _Tally(provider.name)
        self._chunks = self._chunked(iter(ids), chunk)
        self._next = next(self._chunks, None)
        if self._next is None:
            # An empty messageIds list is no filter at all: it would cancel everything.
            raise _unsafe(provider.name)

    def _chunked(self, ids: Iterator[str], chunk: int) -> Iterator[list[str]]:
        while batch := list(islice(ids, chunk)):
            for message_id in batch:
                validate_message_id(message_id, provider=self.provider.name)
                if "," in message_id:
                    raise ValueError(f"message id {message_id!r} contains a comma")
            yield batch

    def next_request(self) -> httpx.Request | None:
        if self._next is None:
            return None
        return self.provider.bulk_cancel_request([("messageIds", i) for i in self._next])

    def record(self, answer: BulkAnswer) -> None:
        asked = len(self._next or ())
        if answer.cancelled is not None and answer.cancelled > asked:
            raise _impossible(self.provider.name, answer, f"{asked} ids")
        self.tally.add(answer)
        self._next = next(self._chunks, None)

    def result(self, elapsed: float) -> BulkResult:
        return self.tally.result(elapsed)


Follow = Callable[[Sequence[str], float | None], Generator[Step, Reply, "list[BulkAction]"]]
"""Follow these tracked actions until they finish, by the deadline given (monotonic)."""
CallFor = Callable[[httpx.Request, float | None], Call[BulkAnswer]]
"""One bulk request, its retries kept within the seconds given (None: the policy's deadline)."""

MAX_BULK_REQUESTS = 10_000
"""At most this many bulk requests in one call (5 million messages at the largest batch): a
server that never says "done" ends the loop here, if ``wait_timeout`` has not ended it first."""


def bulk_steps(
    plan: BulkPlan,
    call_for: CallFor,
    clock: Clock,
    follow: Follow | None = None,
    wait_timeout: float | None = None,
) -> Generator[Step, Reply, BulkResult]:
    """A whole bulk cancel as one machine: each request of the plan, with its retries, then
    (with ``follow``) the tracked actions it started, until they finish.

    ``wait_timeout`` bounds the whole of it, requests, retries and polls alike.
    """
    started = clock.monotonic()
    deadline = None if wait_timeout is None else started + wait_timeout

    def not_done(why: str) -> BulkActionTimeout:
        so_far = plan.result(0.0)
        return BulkActionTimeout(
            f"bulk cancel not done {why} (wait_timeout {wait_timeout}); "
            f"{so_far.cancelled} cancelled so far",
            provider=so_far.provider,
            action_ids=so_far.action_ids,
            processed=so_far.cancelled,
        )

    sent = 0
    while (request := plan.next_request()) is not None:
        sent += 1
        left = None if deadline is None else deadline - clock.monotonic()
        if sent > MAX_BULK_REQUESTS:
            raise not_done(f"after {sent - 1} requests")
        if left is not None and left <= 0:
            raise not_done("out of time")
        try:
            answer = yield from call_for(request, left).steps()
        except UnsendError as error:
            # The wait ran out inside a request (a slow answer, a retry's wait): that is the
            # wait's timeout, with what was done before it, not that request's own failure.
            if deadline is not None and clock.monotonic() >= deadline:
                raise not_done("out of time") from error
            raise
        plan.record(answer)
    result = plan.result(0.0)
    if result.action_ids:
        if follow is None:
            result = attrs.evolve(result, finished=False)
        else:
            actions = yield from follow(result.action_ids, deadline)
            processed = sum(action.processed for action in actions)
            result = attrs.evolve(result, cancelled=result.cancelled + processed)
    return attrs.evolve(result, elapsed=clock.monotonic() - started)
