"""cancel_many through both clients: one result per id, lazily, failures as results."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import anyio
import httpx
import pytest

import unsend
from unsend import Outcome
from unsend._engine.clock import FakeClock


def ok_unless(bad: set[str]) -> Any:
    """A OneSignal-shaped handler: 200 for every id, 400 for those in ``bad``."""

    def handler(request: httpx.Request) -> httpx.Response:
        message_id = request.url.path.rsplit("/", 1)[1]
        if message_id in bad:
            return httpx.Response(400, json={"errors": ["already sent"]})
        return httpx.Response(200, json={"success": True})

    return handler


def run_many(
    mode: str, ids: Iterable[str], handler: Any, **kwargs: Any
) -> list[unsend.CancelResult]:
    provider = unsend.OneSignal("app", "key")
    transport = httpx.MockTransport(handler)
    options = {"clock": FakeClock(), "retry": unsend.RetryPolicy(max_attempts=2, jitter=0)}
    if mode == "sync":
        client = httpx.Client(transport=transport)
        with unsend.Canceller(provider, client=client, **options) as canceller:
            return list(canceller.cancel_many(ids, **kwargs))

    async def main() -> list[unsend.CancelResult]:
        client = httpx.AsyncClient(transport=transport)
        async with unsend.AsyncCanceller(provider, client=client, **options) as canceller:
            return [r async for r in canceller.cancel_many(ids, **kwargs)]

    return anyio.run(main)


def test_one_result_per_id(mode: str) -> None:
    ids = [f"n-{i}" for i in range(300)]
    results = run_many(mode, ids, ok_unless({"n-7", "n-99"}), concurrency=16)
    assert sorted(r.message_id for r in results) == sorted(ids)
    late = {r.message_id for r in results if r.outcome is Outcome.NOT_CANCELLABLE}
    assert late == {"n-7", "n-99"}
    assert sum(r.cancelled for r in results) == 298


def test_ordered_keeps_input_order(mode: str) -> None:
    ids = [f"n-{i}" for i in range(200)]
    results = run_many(mode, ids, ok_unless(set()), concurrency=8, ordered=True)
    assert [r.message_id for r in results] == ids


def test_failures_are_results_and_never_end_the_stream(mode: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        message_id = request.url.path.rsplit("/", 1)[1]
        if message_id == "down":
            return httpx.Response(503, content=b"<html>")
        if message_id == "auth":
            return httpx.Response(401, json={"errors": ["denied"]})
        if message_id == "net":
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"success": True})

    ids = ["a", "", "down", "b", "x/y", "auth", "net", "c"]
    results = {r.message_id: r for r in run_many(mode, ids, handler, concurrency=3)}
    assert set(results) == set(ids)
    for good in ("a", "b", "c"):
        assert results[good].outcome is Outcome.CANCELLED
    for bad, error in [
        ("", unsend.InvalidMessageId),
        ("x/y", unsend.InvalidMessageId),
        ("down", unsend.ProviderUnavailable),
        ("auth", unsend.AuthenticationError),
        ("net", unsend.TransportError),
    ]:
        result = results[bad]
        assert result.outcome is Outcome.FAILED
        assert not result.cancelled
        assert isinstance(result.error, error)
    assert results["down"].attempts == 2
    assert results["down"].status_code == 503


def test_non_string_ids_become_failed_results(mode: str) -> None:
    results = run_many(mode, ["a", None, 5], ok_unless(set()), ordered=True)  # type: ignore[list-item]
    assert [r.outcome for r in results] == [Outcome.CANCELLED, Outcome.FAILED, Outcome.FAILED]
    assert [r.message_id for r in results] == ["a", "None", "5"]


class CountingIds:
    """An id source that records how far it has been read."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.taken = 0

    def __iter__(self) -> Iterator[str]:
        for i in range(self.n):
            self.taken += 1
            yield f"n-{i}"


def test_ids_are_read_lazily_sync() -> None:
    source = CountingIds(100_000)
    transport = httpx.MockTransport(ok_unless(set()))
    canceller = unsend.Canceller(
        unsend.OneSignal("a", "k"), client=httpx.Client(transport=transport)
    )
    stream = canceller.cancel_many(source, concurrency=4)
    first = [next(stream) for _ in range(10)]
    assert len(first) == 10
    assert source.taken <= 10 + 4 * 2
    stream.close()  # abandoning the stream stops reading the source
    assert source.taken < 100


def test_ids_are_read_lazily_async() -> None:
    source = CountingIds(100_000)

    async def main() -> int:
        transport = httpx.MockTransport(ok_unless(set()))
        client = httpx.AsyncClient(transport=transport)
        canceller = unsend.AsyncCanceller(unsend.OneSignal("a", "k"), client=client)
        seen = 0
        async for _ in canceller.cancel_many(source, concurrency=4):
            seen += 1
            if seen == 10:
                break
        return seen

    assert anyio.run(main) == 10
    assert source.taken < 100


def test_async_accepts_an_async_iterable() -> None:
    async def ids() -> AsyncIterator[str]:
        for i in range(50):
            await anyio.lowlevel.checkpoint()
            yield f"n-{i}"

    async def main() -> list[unsend.CancelResult]:
        transport = httpx.MockTransport(ok_unless(set()))
        canceller = unsend.AsyncCanceller(
            unsend.OneSignal("a", "k"), client=httpx.AsyncClient(transport=transport)
        )
        return [r async for r in canceller.cancel_many(ids(), concurrency=5, ordered=True)]

    results = anyio.run(main)
    assert [r.message_id for r in results] == [f"n-{i}" for i in range(50)]


def test_a_failing_id_source_raises_to_the_consumer(mode: str) -> None:
    def broken() -> Iterator[str]:
        yield "a"
        raise OSError("disk read failed")

    with pytest.raises(OSError, match="disk read failed"):
        run_many(mode, broken(), ok_unless(set()))


@pytest.mark.parametrize("concurrency", [0, -1, 1.5, True])
def test_bad_concurrency_is_refused(mode: str, concurrency: Any) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        run_many(mode, ["a"], ok_unless(set()), concurrency=concurrency)


def test_cancellers_satisfy_the_protocols_with_cancel_many() -> None:
    assert isinstance(unsend.Canceller(unsend.QStash("t")), unsend.SupportsCancel)
    assert isinstance(unsend.AsyncCanceller(unsend.QStash("t")), unsend.SupportsAsyncCancel)
