from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

import unsend
from unsend import InvalidMessageId, validate_message_id


@pytest.mark.parametrize(
    ("message_id", "why"),
    [
        ("", "empty"),
        ("   ", "whitespace"),
        ("\t", "whitespace"),
        ("a b", "whitespace"),
        ("a/b", "'/'"),
        ("../", "'/'"),
        ("a?b", "'?'"),
        ("a#b", "'#'"),
        ("a%2Fb", "'%'"),
        ("a\\b", "'\\\\'"),
        (".", "dot segment"),
        ("..", "dot segment"),
        ("a\x00b", "control"),
        ("a\x7fb", "control"),
        ("a\u2028b", "whitespace"),
        ("\ud800", "control"),
        ("x" * 513, "longer than 512"),
    ],
)
def test_refused_ids_say_why(message_id: str, why: str) -> None:
    with pytest.raises(InvalidMessageId, match="invalid message id") as info:
        validate_message_id(message_id)
    assert why in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", [None, 42, b"msg_1", ["msg_1"]])
def test_non_strings_are_refused(value: object) -> None:
    with pytest.raises(InvalidMessageId, match="expected a string"):
        validate_message_id(value)


@pytest.mark.parametrize(
    "message_id",
    [
        "msg_26hZCxZCuWyyTWPmSVBrNB882AMRP",
        "...",
        "a.b",
        "x" * 512,
        "é" * 512,  # the longest id the character walk (not the fast path) lets by
        "é-ü",
        "msg:1",
        "a+b",
        "🙂",
    ],
)
def test_opaque_ids_pass_unchanged(message_id: str) -> None:
    assert validate_message_id(message_id) == message_id


@pytest.mark.parametrize(("length", "kept"), [(79, True), (80, True), (81, False)])
def test_a_refused_id_is_kept_on_the_error_up_to_80_characters(length: int, kept: bool) -> None:
    message_id = "x" * (length - 1) + "/"
    with pytest.raises(InvalidMessageId) as info:
        validate_message_id(message_id)
    assert info.value.message_id == (message_id if kept else None)


PROVIDERS = [
    (unsend.QStash("t"), "/v2/messages/", ""),
    (unsend.OneSignal("app", "key"), "/notifications/", ""),
    (unsend.Courier("t"), "/messages/", "/cancel"),
]


@pytest.mark.parametrize(("provider", "prefix", "suffix"), PROVIDERS)
@given(message_id=st.text(max_size=600))
def test_any_id_is_refused_or_reaches_only_the_single_message_path(
    provider: unsend.Provider, prefix: str, suffix: str, message_id: str
) -> None:
    try:
        request = provider.cancel_request(message_id)
    except InvalidMessageId:
        return
    raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    assert raw_path.startswith(prefix)
    assert raw_path.endswith(suffix)
    segment = raw_path[len(prefix) : len(raw_path) - len(suffix)]
    # Exactly one path segment, which a server decodes back to the id itself.
    assert segment
    assert "/" not in segment
    assert unquote(segment, errors="strict") == message_id
