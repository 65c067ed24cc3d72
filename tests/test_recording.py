"""The recording provider: testing your own code without HTTP (DSN ``recording://``)."""

from __future__ import annotations

import socket

import anyio
import pytest

import unsend
import unsend.testing
from unsend.testing import RecordingProvider, clear_recorded, recorded


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the recording provider opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    clear_recorded()


def test_code_under_test_configured_by_environment() -> None:
    def call_off_reminders(ids: list[str]) -> int:  # what a user's service might do
        with unsend.from_env() as canceller:
            return sum(r.cancelled for r in canceller.cancel_many(ids))

    env = {"UNSEND_DSN": "recording://?not_found=gone"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        assert call_off_reminders(["a", "b", "gone", "a"]) == 3  # a, b, then a again
    assert sorted(recorded()) == ["a", "b"]


def test_outcomes_as_a_provider_answers() -> None:
    provider = RecordingProvider(not_found=["x"], not_cancellable=["late"])
    with unsend.Canceller(provider) as canceller:
        outcomes = [canceller.cancel(i).outcome for i in ("m1", "m1", "x", "late")]
        with pytest.raises(unsend.InvalidMessageId):
            canceller.cancel("a/b")
    assert outcomes == [
        unsend.Outcome.CANCELLED,
        unsend.Outcome.ALREADY_CANCELLED,
        unsend.Outcome.NOT_FOUND,
        unsend.Outcome.NOT_CANCELLABLE,
    ]
    assert provider.cancelled == ["m1"]
    assert provider.requests == ["m1", "m1", "x", "late"]


def test_async_and_in_a_router_beside_other_providers() -> None:
    mail = RecordingProvider()
    push = RecordingProvider()

    async def main() -> list[unsend.CancelResult]:
        async with unsend.AsyncCanceller(mail) as canceller:
            await canceller.cancel("one")
        async with unsend.AsyncRouter({"mail": mail, "push": push}) as router:
            refs = ["mail:two", "push:p1", "push:p2", "sms:nope"]
            return [r async for r in router.cancel_many(refs)]

    results = anyio.run(main)
    assert sorted(str(r.ref) for r in results if r.cancelled) == ["mail:two", "push:p1", "push:p2"]
    assert mail.cancelled == ["one", "two"]
    assert sorted(push.cancelled) == ["p1", "p2"]
    with unsend.Router({"mail": "recording://"}) as router:
        assert router.cancel("mail:three").cancelled
        assert [r.cancelled for r in router.cancel_many(["mail:four"])] == [True]


def test_one_tests_cancels_by_the_name_they_were_routed_under(
    unsend_recording: unsend.testing.Recording,
) -> None:
    configs = {"mail": {"provider": "recording"}, "push": {"provider": "recording"}}
    with unsend.Router(configs) as router:
        router.cancel("mail:m-1")
        router.cancel("mail:m-1")  # again: ALREADY_CANCELLED, recorded as such
        list(router.cancel_many(["push:p-1", "push:p-2", "mail:m-2"]))
    assert unsend_recording.ids("mail") == ["m-1", "m-2"]
    assert sorted(unsend_recording.ids("push")) == ["p-1", "p-2"]
    outcomes = [c.outcome.name for c in unsend_recording.cancels("mail")]
    assert outcomes == ["CANCELLED", "ALREADY_CANCELLED", "CANCELLED"]
    with unsend.Canceller(unsend.testing.RecordingProvider()) as canceller:
        canceller.cancel("plain")
    assert unsend_recording.ids("recording") == ["plain"]


def test_a_new_test_starts_with_nothing_recorded(
    unsend_recording: unsend.testing.Recording,
) -> None:
    assert unsend_recording.cancels() == []
