"""``read_status``, the reading every adapter's status read shares: the word its body names,
mapped through the adapter's table, shown redacted and bounded, for this message only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import unsend
from unsend import MessageState
from unsend.providers._status import read_status, states

SECRET = "sk_live_0123456789abcdef"
TABLE = states(SCHEDULED=("queued",), CANCELLED=("canceled",))


def _read(body: Any, word: str | None, named: str = "m-1") -> unsend.MessageStatus:
    response = httpx.Response(200, json=body, request=httpx.Request("GET", "https://p.example/"))
    return read_status("p", "m-1", response, (SECRET,), lambda _: (named, word), TABLE)


@pytest.mark.parametrize(
    ("word", "state"),
    [
        ("queued", "SCHEDULED"),
        ("canceled", "CANCELLED"),
        ("exploded", "UNKNOWN"),
        (None, "UNKNOWN"),
    ],
)
def test_the_word_is_mapped_through_the_table_and_shown_as_said(
    word: str | None, state: str
) -> None:
    status = _read({}, word)
    assert status.state is MessageState[state]
    assert status.provider_state == word
    assert status.status_code == 200


def test_the_word_shown_is_blanked_and_cut_to_100_characters() -> None:
    status = _read({}, f"x{SECRET}" + "y" * 200)
    assert status.provider_state == "x***" + "y" * 96
    assert status.state is MessageState.UNKNOWN


@pytest.mark.parametrize(
    ("named", "why"),
    [("m-2", "200 for another message"), (None, "200 for another message")],
)
def test_a_body_naming_another_message_is_refused_blanked(named: object, why: str) -> None:
    response = httpx.Response(
        200, json={"echo": SECRET}, request=httpx.Request("GET", "https://p.example/")
    )
    with pytest.raises(unsend.UnexpectedResponse, match=why) as refused:
        read_status("p", "m-1", response, (SECRET,), lambda _: (named, "queued"), TABLE)
    assert SECRET[:8] not in f"{refused.value} {refused.value.body_excerpt}"
    assert "***" in (refused.value.body_excerpt or "")


def test_a_body_the_read_cannot_read_is_refused_blanked() -> None:
    def read(body: Any) -> tuple[object, str | None]:
        return body["missing"], None

    response = httpx.Response(
        200, json={"echo": SECRET}, request=httpx.Request("GET", "https://p.example/")
    )
    with pytest.raises(unsend.UnexpectedResponse, match="not this read's") as refused:
        read_status("p", "m-1", response, (SECRET,), read, TABLE)
    assert SECRET[:8] not in f"{refused.value} {refused.value.body_excerpt}"
    assert "***" in (refused.value.body_excerpt or "")


@pytest.mark.parametrize("word", [0, True, ["queued"], {"s": 1}])
def test_a_state_that_is_not_a_word_is_refused_blanked(word: object) -> None:
    with pytest.raises(unsend.UnexpectedResponse, match="200 whose state is not a word") as refused:
        _read({"echo": SECRET}, word)  # type: ignore[arg-type]
    assert SECRET[:8] not in f"{refused.value} {refused.value.body_excerpt}"
    assert "***" in (refused.value.body_excerpt or "")
