"""``status`` for every provider that documents a read, through every way a user reads one: the
state never claims more than the provider's answer holds.

Against the emulator served on 127.0.0.1 (its reads are the providers' documented answers): a
message scheduled, delivered, cancelled, and one never sent. Then against a loopback server
answering what is not the documented read (HTML, ``{}``, another message's answer): an error,
never a state. A provider that documents no read refuses before sending anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import unsend
from unsend import MessageState
from unsend.testing import EmulatorFixture

from .cases import Answer, Case
from .test_no_false_cancel import _another_id

# What a read of a message the emulator holds in each state may say: the state itself, or less.
ALLOWED = {
    "scheduled": {MessageState.SCHEDULED, MessageState.UNKNOWN},
    "delivered": {MessageState.SENT, MessageState.NOT_FOUND, MessageState.UNKNOWN},
    "cancelled": {MessageState.CANCELLED, MessageState.NOT_FOUND, MessageState.UNKNOWN},
    "never sent": {MessageState.NOT_FOUND, MessageState.UNKNOWN},
}

# Providers whose read is a list (Slack's, Mandrill's scheduled messages): not listed is UNKNOWN.
LISTS = {"slack", "mailchimp"}

Read = Callable[[EmulatorFixture, str, list[str]], list[MessageState]]


def _canceller(emu: EmulatorFixture, name: str, ids: list[str]) -> list[MessageState]:
    with emu.canceller(name) as canceller:
        return [canceller.status(i).state for i in ids]


def _async_canceller(emu: EmulatorFixture, name: str, ids: list[str]) -> list[MessageState]:
    async def main() -> list[MessageState]:
        async with emu.async_canceller(name) as canceller:
            return [(await canceller.status(i)).state for i in ids]

    return anyio.run(main)


def _router(emu: EmulatorFixture, name: str, ids: list[str]) -> list[MessageState]:
    with unsend.Router({"r": emu.config(name)}) as router:
        reads = [router.status(f"r:{i}") for i in ids]
    assert {r.name for r in reads} == {"r"}
    return [r.state for r in reads]


def _async_router(emu: EmulatorFixture, name: str, ids: list[str]) -> list[MessageState]:
    async def main() -> list[MessageState]:
        async with unsend.AsyncRouter({"r": emu.config(name)}) as router:
            return [(await router.status(f"r:{i}")).state for i in ids]

    return anyio.run(main)


def _cli(emu: EmulatorFixture, name: str, ids: list[str]) -> list[MessageState]:
    command = [sys.executable, "-m", "unsend.cli", "status", "--dsn", emu.dsn(name), "--json"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    done = subprocess.run([*command, "--", *ids], capture_output=True, text=True, env=env)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    states = [MessageState[line["state"]] for line in lines]
    worst = 1 if MessageState.NOT_FOUND in states else 0
    assert done.returncode == worst, done.stderr
    return states


READERS: dict[str, Read] = {
    "Canceller.status": _canceller,
    "AsyncCanceller.status": _async_canceller,
    "Router.status": _router,
    "AsyncRouter.status": _async_router,
    "cli": _cli,
}


@pytest.mark.parametrize("reader", list(READERS))
def test_each_state_reads_as_itself_or_less(
    reading_case: Case, reader: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    name = reading_case.name
    (scheduled,) = emu.seed(name)
    (delivered,) = emu.seed(name, state="delivered")
    (cancelled,) = emu.seed(name)
    with emu.canceller(name) as canceller:
        canceller.cancel(cancelled)
    assert emu.states(name)[cancelled] == "cancelled"
    never = _another_id(scheduled)
    while never in (delivered, cancelled):
        never = _another_id(never)
    ids = {"scheduled": scheduled, "delivered": delivered, "cancelled": cancelled}
    ids["never sent"] = never
    states = READERS[reader](emu, name, list(ids.values()))
    for (state, _), read in zip(ids.items(), states, strict=True):
        assert read in ALLOWED[state], (state, read)


def _raw(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    headers = (("Content-Type", content_type), ("Connection", "close"))
    return Answer(status, headers, body).raw()


def test_what_is_not_the_documented_read_is_an_error_never_a_state(
    reading_case: Case, serve: Callable[..., object]
) -> None:
    case = reading_case
    answers = {
        "html page": _raw(200, b"<html><body>Sign in</body></html>", "text/html"),
        "{}": _raw(200, b"{}"),
        "empty": _raw(200, b""),
    }
    read = case.reads["scheduled"].body
    if case.message_id.encode() in read:  # a read that names no id (Brevo's) has no variant
        other = read.replace(case.message_id.encode(), _another_id(case.message_id).encode())
        answers["another message's read"] = _raw(200, other)
    for what, raw in answers.items():
        server: Any = serve([[raw]])
        canceller = unsend.Canceller(case.provider(server.url))
        if what == "another message's read" and case.name in LISTS:
            # A list that names other messages is a true answer: this one is not listed, and
            # that claims nothing (UNKNOWN).
            with canceller:
                assert canceller.status(case.message_id).state is MessageState.UNKNOWN
            continue
        with canceller, pytest.raises(unsend.UnexpectedResponse, match=r"."):
            canceller.status(case.message_id)
        assert len(server.requests) == 1, what


def test_a_provider_without_a_read_refuses_status(
    unread_case: Case, serve: Callable[..., object]
) -> None:
    server: Any = serve([[_raw(200, b"{}")]])
    canceller = unsend.Canceller(unread_case.provider(server.url))
    with canceller, pytest.raises(unsend.ConfigError, match="no documented read"):
        canceller.status(unread_case.message_id)
    assert server.requests == []
