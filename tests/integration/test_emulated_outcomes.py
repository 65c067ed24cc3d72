"""Every registered provider through both clients against the emulator: every answer of the
outcome table as the docs list it, ids refused before a request, wrong credentials, 429s.

The tables name each provider's own answers; a registered provider missing from any of them
fails ``test_the_tables_cover_every_registered_provider``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

import unsend
from unsend.testing import EmulatorFixture

from ..conformance.cases import all_cases

# Knock only acknowledges: its documented success is "accepted", never "cancelled".
SUCCESS = {
    "knock": unsend.Outcome.REQUESTED,
    "sinch": unsend.Outcome.REQUESTED,
    "braze": unsend.Outcome.REQUESTED,
    "eventbridge": unsend.Outcome.REQUESTED,
}
UNKNOWN = {
    "qstash": "msg_never_existed",
    "onesignal": "00000000-0000-4000-8000-0000000000a2",
    "courier": "1-never-existed",
    "twilio": "SM" + "f" * 32,
    "resend": "00000000-0000-4000-8000-000000000000",
    "sendgrid": "no-such-batch",
    "knock": "reminder:no-such-key",
    "novu": "no-such-transaction",
    "airship": "00000000-0000-4000-8000-0000000000a1",
    "brevo": "<no-such-message@relay.example.com>",
    "slack": "C0DEV0001:Q0000000000",
    "mailchimp": "NoSuchScheduledEmail00",
    "sinch": "01NOSUCHBATCH0000000000000",
    "braze": "no-such-schedule",
    "eventbridge": "never-made",
    "cloudtasks": "unsend-dev:europe-west1:reminders:never-made",
}
NAMES = tuple(all_cases())  # every registered provider the emulator knows
# What a second cancel of the same message is, per provider (README's table).
AGAIN: dict[str, unsend.Outcome | type[unsend.UnsendError]] = {
    "qstash": unsend.Outcome.NOT_FOUND,  # deleted: QStash no longer knows it
    "onesignal": unsend.Outcome.CANCELLED,  # OneSignal answers success again
    "courier": unsend.Outcome.ALREADY_CANCELLED,  # its record says CANCELED
    "twilio": unsend.Outcome.NOT_CANCELLABLE,  # 30409: no longer scheduled
    "resend": unsend.Outcome.NOT_CANCELLABLE,  # its words: "not scheduled"
    "sendgrid": unsend.Outcome.ALREADY_CANCELLED,  # 400, then the batch reads "cancel"
    "knock": unsend.Outcome.REQUESTED,  # 204 accepted: Knock never says
    "novu": unsend.Outcome.NOT_FOUND,  # false: nothing waiting
    "airship": unsend.Outcome.NOT_FOUND,  # deleted: Airship no longer knows it
    "brevo": unsend.Outcome.NOT_FOUND,  # deleted: no longer scheduled
    "slack": unsend.Outcome.NOT_FOUND,  # invalid_scheduled_message_id: it does not say why
    "mailchimp": unsend.Outcome.NOT_FOUND,  # Unknown_Message: no longer scheduled
    "sinch": unsend.Outcome.REQUESTED,  # marked again: a 200 proves nothing
    "braze": unsend.Outcome.REQUESTED,  # "success", whatever it found
    "eventbridge": unsend.Outcome.NOT_FOUND,  # ResourceNotFoundException
    "cloudtasks": unsend.Outcome.NOT_FOUND,  # deleted: Google no longer holds it
}
UNKNOWN_OUTCOME = {
    "qstash": unsend.Outcome.NOT_FOUND,
    "onesignal": unsend.Outcome.NOT_FOUND,
    "courier": unsend.Outcome.NOT_FOUND,
    "twilio": unsend.Outcome.NOT_FOUND,
    "resend": unsend.Outcome.NOT_FOUND,
    "sendgrid": unsend.Outcome.NOT_FOUND,
    "knock": unsend.Outcome.REQUESTED,  # 204 whatever it found
    "novu": unsend.Outcome.NOT_FOUND,
    "airship": unsend.Outcome.NOT_FOUND,
    "brevo": unsend.Outcome.NOT_FOUND,
    "slack": unsend.Outcome.NOT_FOUND,
    "mailchimp": unsend.Outcome.NOT_FOUND,
    "sinch": unsend.Outcome.NOT_FOUND,
    "braze": unsend.Outcome.REQUESTED,
    "eventbridge": unsend.Outcome.NOT_FOUND,
    "cloudtasks": unsend.Outcome.NOT_FOUND,
}
BAD_IDS = {
    "qstash": ["", "../x", "a/b", "msg?x=1"],
    "onesignal": ["", "..", "a#b", "line\nbreak"],
    "courier": ["", "%2e%2e", "a/b", "nul\x00"],
    "twilio": ["SM123", "AC" + "0" * 32, "sm" + "0" * 32 + "/x"],
    "resend": ["not-a-uuid", "../emails"],
    "sendgrid": ["batch id", "a/b"],
    "knock": ["no-colon", "Bad Workflow:key", "wf:"],
    "novu": ["a/b", "..", ""],
    "airship": ["not-a-uuid", "../schedules", "5cde3564-ead8-9743-63af-821e1233781"],
    "brevo": ["no-brackets@example.com", "<no-at-sign>", "<a@b>/x", "not-a-uuid"],
    "slack": ["Q1234ABCD", "C0123:q1234abcd", "c0123:Q1234ABCD", "C0123:Q12", "C0123:Q1234ABCD/x"],
    "mailchimp": ["short", "has space in it", "a/b/c/d/e/f", "dots.are.not.ids"],
    "sinch": ["01FC-66621", "short", "01FC66621VHDBN119Z8PMV1QPU/x"],
    "braze": ["campaign:only-two", "canvas:a:b:c", "flow:a:b", "has space"],
    "eventbridge": ["a" * 65, "g:h:i!", "with space", "x" * 65 + ":name"],
    "cloudtasks": ["just-a-task", "p:l:q", "Bad_Project:europe-west1:q:t", "p0000:eu:q:t"],
}


@pytest.mark.parametrize("table", ["UNKNOWN", "AGAIN", "UNKNOWN_OUTCOME", "BAD_IDS"])
def test_the_tables_cover_every_registered_provider(table: str) -> None:
    assert set(globals()[table]) == set(NAMES)


def run(mode: str, emu: EmulatorFixture, name: str, action: Callable[[Any], Any]) -> Any:
    if mode == "sync":
        with emu.canceller(name) as canceller:
            return action(canceller)

    async def main() -> Any:
        async with emu.async_canceller(name) as canceller:
            return await action(canceller)

    return anyio.run(main)


def outcome_of(mode: str, emu: EmulatorFixture, name: str, message_id: str) -> Any:
    try:
        return run(mode, emu, name, lambda c: c.cancel(message_id)).outcome
    except unsend.UnsendError as error:
        return type(error)


@pytest.mark.parametrize("name", NAMES)
def test_the_outcome_table(mode: str, name: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    (message_id,) = emu.seed(name, count=1)
    assert outcome_of(mode, emu, name, message_id) is SUCCESS.get(name, unsend.Outcome.CANCELLED)
    assert emu.states(name)[message_id] == "cancelled"
    assert outcome_of(mode, emu, name, message_id) is AGAIN[name]
    assert outcome_of(mode, emu, name, UNKNOWN[name]) is UNKNOWN_OUTCOME[name]


@pytest.mark.parametrize("name", NAMES)
def test_too_late(name: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    (message_id,) = emu.seed(name, count=1, delay=1)
    emu.advance(5)
    assert emu.states(name)[message_id] == "delivered"
    outcome = outcome_of("sync", emu, name, message_id)
    assert outcome is not unsend.Outcome.CANCELLED


@pytest.mark.parametrize("name", NAMES)
def test_ids_are_validated_before_any_request(name: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    for bad in BAD_IDS[name]:
        with pytest.raises(unsend.InvalidMessageId):
            run("sync", emu, name, lambda c, bad=bad: c.cancel(bad))
    assert emu.stats()[name] == {}


@pytest.mark.parametrize("name", NAMES)
def test_wrong_credentials_and_rate_limits(name: str, unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    (message_id,) = emu.seed(name, count=1)
    config = {**emu.config(name)}
    secret = next(
        k
        for k in ("auth_token", "api_key", "secret", "api_token", "secret_access_key", "token")
        if k in config
    )
    config[secret] = "wrong-" + config[secret]
    with unsend.from_config(config) as canceller, pytest.raises(unsend.AuthenticationError) as e:
        canceller.cancel(message_id)
    assert config[secret] not in str(e.value)
    assert emu.states(name)[message_id] == "scheduled"  # refused: nothing was cancelled
    emu.set_faults(name, rate_limit_rate=1.0, retry_after=1, max_faults=2)
    clock = unsend.testing.FakeClock()
    with emu.canceller(name, clock=clock) as canceller:
        outcome = canceller.cancel(message_id).outcome
    assert outcome is SUCCESS.get(name, unsend.Outcome.CANCELLED)
    assert len(clock.sleeps) == 2


def test_knock_cancels_for_some_recipients_only(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    (run_id,) = emu.seed("knock", count=1, fields={"recipients": ["u1", "u2"]})
    workflow, key = run_id.split(":", 1)
    with emu.canceller("knock") as canceller:
        canceller.cancel(unsend.Knock.message_id(workflow, key, ["u1"]))
        assert emu.states("knock")[run_id] == "scheduled"  # u2 still waits
        canceller.cancel(unsend.Knock.message_id(workflow, key, ["u2"]))
    assert emu.states("knock")[run_id] == "cancelled"


def test_every_provider_by_dsn_and_router(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    refs = [f"{name}:{i}" for name in NAMES for i in emu.seed(name, count=3)]
    with emu.router() as router:
        results = list(router.cancel_many(refs, concurrency=4))
    assert sorted(str(r.ref) for r in results) == sorted(refs)
    assert all(r.cancelled or r.outcome is unsend.Outcome.REQUESTED for r in results)
