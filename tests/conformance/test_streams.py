"""No exception hangs a stream: the caller's hooks, a ref's repr, a broken id source.

Each raising thing is tried through every ``cancel_many`` (both cancellers, both routers) against
every provider's documented success on a loopback server. The stream must raise the exception,
after yielding what was already started, and must do so promptly: a guard thread fails the test
after 60 s (a hang, not a slow machine: the work itself takes milliseconds).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import anyio
import pytest

import unsend
from unsend._engine.clock import FakeClock

from .cases import Case
from .conftest import Scripted

GUARD_SECONDS = 60


class Boom(Exception):
    pass


def _raise(*args: object) -> None:
    raise Boom("from the caller's hook")


def _broken_source(ids: Sequence[object]) -> Iterator[object]:
    yield from ids
    raise Boom("the id source broke")


def _stream(kind: str, case: Case, url: str, items: Iterable[object], **hooks: Any) -> list[Any]:
    """Run one cancel_many to its end; return what it yielded, or raise what it raised."""
    if kind.startswith("Router") or kind.startswith("AsyncRouter"):
        configs = {"r": {**case.config(url), "max_attempts": 2, "backoff_initial": 0}}
        items = [f"r:{i}" if isinstance(i, str) else i for i in items]
    seen: list[Any] = []
    if kind == "Canceller":
        provider = case.provider(url)
        options = {"clock": FakeClock(), "retry": unsend.RetryPolicy(max_attempts=2, jitter=0)}
        with unsend.Canceller(provider, **options, **hooks) as canceller:
            for result in canceller.cancel_many(items, concurrency=2):  # type: ignore[arg-type]
                seen.append(result)
        return seen
    if kind == "Router":
        with unsend.Router(configs, clock=FakeClock(), **hooks) as router:
            for result in router.cancel_many(items, concurrency=2):  # type: ignore[arg-type]
                seen.append(result)
        return seen

    async def main() -> list[Any]:
        if kind == "AsyncCanceller":
            provider = case.provider(url)
            retry = unsend.RetryPolicy(max_attempts=2, jitter=0)
            async with unsend.AsyncCanceller(
                provider, clock=FakeClock(), retry=retry, **hooks
            ) as canceller:
                async for result in canceller.cancel_many(items, concurrency=2):  # type: ignore[arg-type]
                    seen.append(result)
        else:
            async with unsend.AsyncRouter(configs, clock=FakeClock(), **hooks) as router:
                async for result in router.cancel_many(items, concurrency=2):  # type: ignore[arg-type]
                    seen.append(result)
        return seen

    return anyio.run(main)


def _guarded(run: Callable[[], object]) -> BaseException | None:
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            run()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    assert outcome, f"the stream hung (no end after {GUARD_SECONDS} s)"
    return outcome[0]


KINDS = ["Canceller", "AsyncCanceller", "Router", "AsyncRouter"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_raising_on_result_surfaces_and_never_hangs(
    case: Case, kind: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    server = serve([[case.success.raw()]])
    ids = [case.message_id] * 6
    error = _guarded(lambda: _stream(kind, case, server.url, ids, on_result=_raise))
    assert isinstance(error, Boom)
    assert 1 <= server.count <= 6


@pytest.mark.parametrize("kind", KINDS)
def test_a_raising_on_retry_surfaces_and_never_hangs(
    case: Case, kind: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    busy = b"HTTP/1.1 503 X\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
    server = serve([[busy]])
    ids = [case.message_id] * 4
    error = _guarded(lambda: _stream(kind, case, server.url, ids, on_retry=_raise))
    assert isinstance(error, Boom)


@pytest.mark.parametrize("kind", KINDS)
def test_a_broken_id_source_surfaces_after_what_was_started(
    case: Case, kind: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    server = serve([[case.success.raw()]])
    seen: list[Any] = []

    def run() -> None:
        seen.extend(_stream(kind, case, server.url, _broken_source([case.message_id] * 3)))

    error = _guarded(run)
    assert isinstance(error, Boom)


@pytest.mark.parametrize("kind", ["Router", "AsyncRouter"])
def test_a_ref_whose_repr_raises_is_its_own_failed_result(
    case: Case, kind: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    server = serve([[case.success.raw()]])
    # An int of 5,000 digits: Python refuses to print it (ValueError from repr).
    refs: list[object] = [case.message_id, 10**5000, case.message_id]
    results: list[Any] = []
    error = _guarded(lambda: results.extend(_stream(kind, case, server.url, refs)))
    assert error is None
    assert len(results) == 3
    failed = [r for r in results if r.outcome is unsend.Outcome.FAILED]
    assert len(failed) == 1
    assert isinstance(failed[0].error, unsend.InvalidMessageId)
