from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import anyio
import httpx
import pytest

import unsend
from tests.helpers import Script, response, run_cancel
from unsend import Outcome, RetryPolicy
from unsend._engine.body import MAX_BODY_BYTES
from unsend._engine.clock import FakeClock


class DrippingBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives one byte per second of (fake) time."""

    def __init__(self, clock: FakeClock, data: bytes) -> None:
        self.clock = clock
        self.data = data
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for byte in self.data:
            self.clock.advance(1)
            self.sent += 1
            yield bytes([byte])

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def test_a_body_dripping_past_the_deadline_ends_the_cancel(mode: str, clock: FakeClock) -> None:
    body = DrippingBody(clock, b'{"success": true}' + b" " * 100)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body)

    with pytest.raises(unsend.TransportError, match="deadline") as info:
        run_cancel(
            mode, unsend.OneSignal("a", "k"), handler, clock=clock, retry=RetryPolicy(deadline=5)
        )
    assert body.sent == 5
    assert info.value.attempts == 1


def test_an_oversized_body_is_unexpected_and_not_kept(mode: str) -> None:
    script = Script([response(200, content=b"x" * (MAX_BODY_BYTES + 10))])
    with pytest.raises(unsend.UnexpectedResponse, match="larger than"):
        run_cancel(mode, unsend.QStash("t"), script)
    assert len(script.requests) == 1


def test_gzip_bodies_are_decoded_before_the_adapter_reads_them(mode: str) -> None:
    import gzip

    def handler(request: httpx.Request) -> httpx.Response:
        body = httpx.ByteStream(gzip.compress(b'{"success": true}'))
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=body)

    assert run_cancel(mode, unsend.OneSignal("a", "k"), handler).cancelled


def test_a_body_that_fails_to_decode_is_unexpected_not_retried(mode: str) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        body = httpx.ByteStream(b"not gzip")
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=body)

    with pytest.raises(unsend.UnexpectedResponse, match="decoded"):
        run_cancel(mode, unsend.OneSignal("a", "k"), handler)
    assert len(requests) == 1


def test_invalid_ids_are_refused_before_any_request(mode: str) -> None:
    script = Script([])
    with pytest.raises(unsend.InvalidMessageId):
        run_cancel(mode, unsend.QStash("t"), script, message_id="")
    assert script.requests == []


def test_result_carries_everything(mode: str, clock: FakeClock) -> None:
    script = Script([response(400, {"errors": ["already sent"]})])
    r = run_cancel(mode, unsend.OneSignal("a", "k"), script, message_id="n-9", clock=clock)
    assert (r.provider, r.message_id, r.outcome, r.status_code, r.detail, r.attempts) == (
        "onesignal",
        "n-9",
        Outcome.NOT_CANCELLABLE,
        400,
        "already sent",
        1,
    )
    assert r.elapsed == 0.0
    with pytest.raises(AttributeError):
        r.outcome = Outcome.CANCELLED  # type: ignore[misc]


def test_a_passed_in_client_is_never_closed() -> None:
    client = httpx.Client(transport=httpx.MockTransport(Script([response(200)])))
    with unsend.Canceller(unsend.QStash("t"), client=client) as canceller:
        assert canceller.cancel("m").cancelled
    assert not client.is_closed


def test_an_owned_client_is_closed() -> None:
    canceller = unsend.Canceller(unsend.QStash("t"))
    with canceller:
        first = canceller.client  # lanes are built when first needed
    assert first.is_closed
    assert all(c.is_closed for c in canceller._lanes.built())


def test_async_client_ownership() -> None:
    async def main() -> tuple[bool, bool, object]:
        client = httpx.AsyncClient(transport=httpx.MockTransport(Script([])))
        async with unsend.AsyncCanceller(unsend.QStash("t"), client=client) as theirs:
            assert theirs.client is client
        async with unsend.AsyncCanceller(unsend.QStash("t")) as owned:
            mine = owned.client  # unsend's own httpx pool, closed with it
            assert isinstance(mine, httpx.AsyncClient)
        async with unsend.AsyncCanceller(unsend.QStash("t"), transport="aiohttp") as chosen:
            session = chosen.client  # None: aiohttp is not an httpx client
        return client.is_closed, mine.is_closed, session

    assert anyio.run(main) == (False, True, None)


def test_default_timeouts_bound_every_phase() -> None:
    script = Script([response(200)])
    run_cancel("sync", unsend.QStash("t"), script)
    assert script.timeouts == [{"connect": 5.0, "read": 10.0, "write": 10.0, "pool": 10.0}]


def test_clients_satisfy_the_protocols() -> None:
    sync = unsend.Canceller(unsend.QStash("t"))
    asynchronous = unsend.AsyncCanceller(unsend.QStash("t"))
    assert isinstance(sync, unsend.SupportsCancel)
    assert isinstance(asynchronous, unsend.SupportsAsyncCancel)
    assert isinstance(unsend.Courier("t"), unsend.Provider)
    sync.close()


def test_reprs_hide_credentials() -> None:
    providers = [
        unsend.QStash("q-secret"),
        unsend.OneSignal("o-app", "o-secret"),
        unsend.Courier("c-secret"),
    ]
    for provider in providers:
        text = repr(unsend.Canceller(provider)) + str(provider)
        for secret in ("q-secret", "o-app", "o-secret", "c-secret"):
            assert secret not in text
