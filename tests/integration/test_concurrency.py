"""One canceller shared by many threads or tasks: every result and attempt count its own."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

import unsend
from unsend import Outcome

NO_WAIT = unsend.RetryPolicy(max_attempts=5, initial=0, max=0, jitter=0)


class FlakyProvider:
    """Id ``n-<i>`` fails ``i % 4`` times with 503, then succeeds: attempts are predictable."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()

    def answer(self, request: httpx.Request) -> httpx.Response:
        message_id = request.url.path.rsplit("/", 1)[1]
        with self.lock:
            self.seen[message_id] = self.seen.get(message_id, 0) + 1
            count = self.seen[message_id]
        if count <= int(message_id.split("-")[1]) % 4:
            return httpx.Response(503)
        return httpx.Response(200, json={"success": True})


def check(results: list[unsend.CancelResult], ids: list[str]) -> None:
    assert [r.message_id for r in results] == ids
    for result in results:
        assert result.outcome is Outcome.CANCELLED
        assert result.attempts == int(result.message_id.split("-")[1]) % 4 + 1, result


def test_one_canceller_shared_by_many_threads() -> None:
    flaky = FlakyProvider()
    client = httpx.Client(transport=httpx.MockTransport(flaky.answer))
    canceller = unsend.Canceller(unsend.OneSignal("a", "k"), client=client, retry=NO_WAIT)
    ids = [f"n-{i}" for i in range(800)]
    with ThreadPoolExecutor(64) as pool:
        results = list(pool.map(canceller.cancel, ids))
    check(results, ids)
    assert sum(flaky.seen.values()) == sum(i % 4 + 1 for i in range(800))


def test_one_async_canceller_shared_by_hundreds_of_tasks() -> None:
    flaky = FlakyProvider()

    async def answer(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)  # interleave the tasks at every request
        return flaky.answer(request)

    async def main() -> list[unsend.CancelResult]:
        client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        canceller = unsend.AsyncCanceller(unsend.OneSignal("a", "k"), client=client, retry=NO_WAIT)
        return list(await asyncio.gather(*(canceller.cancel(i) for i in ids)))

    ids = [f"n-{i}" for i in range(500)]
    check(asyncio.run(main()), ids)
