"""MessageRef: constructed or parsed, a ref is name:id with a valid name, and prints back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import unsend
from unsend import MessageRef


@pytest.mark.parametrize("name", ["a:b", "", "x" * 65, "has space", "é", 7, None])
def test_a_bad_name_is_refused_at_construction(name: object) -> None:
    with pytest.raises(unsend.InvalidMessageId):
        MessageRef(name, "x")  # type: ignore[arg-type]


@pytest.mark.parametrize("message_id", ["", 5, None])
def test_an_empty_or_non_string_id_is_refused(message_id: object) -> None:
    with pytest.raises(unsend.InvalidMessageId):
        MessageRef("push", message_id)  # type: ignore[arg-type]


@given(
    st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True),
    st.text(min_size=1, max_size=50),
)
def test_str_parses_back_to_the_same_ref(name: str, message_id: str) -> None:
    ref = MessageRef(name, message_id)
    assert MessageRef.parse(str(ref)) == ref


def test_a_ref_splits_at_its_first_colon_so_ids_may_hold_colons() -> None:
    assert MessageRef.parse("hooks:msg:1") == MessageRef("hooks", "msg:1")
    assert MessageRef.parse("hooks::") == MessageRef("hooks", ":")


def test_describing_a_value_whose_repr_raises_never_fails() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    with pytest.raises(unsend.InvalidMessageId, match="Hostile"):
        MessageRef.parse(Hostile())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x" * 98, repr("x" * 98)),  # 100 characters with its quotes: shown whole
        ("x" * 99, repr("x" * 99)[:97] + "..."),  # 101: cut to 97 and an ellipsis
        (5, "5"),
    ],
)
def test_a_value_is_shown_whole_up_to_100_characters_then_cut(value: object, expected: str) -> None:
    from unsend._ref import shown

    assert shown(value) == expected
    assert len(shown("y" * 500)) == 100


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("no-colon", "a message ref looks like name:id, got 'no-colon'"),
        ("push:", "a message ref looks like name:id, got 'push:'"),
        ("bad name:x", "a message ref looks like name:id, got 'bad name:x'"),
        (":x", "a message ref looks like name:id, got ':x'"),
        (7, "a message ref looks like name:id, got 7"),
    ],
)
def test_parse_says_what_a_ref_looks_like_and_what_it_got(text: object, why: str) -> None:
    with pytest.raises(unsend.InvalidMessageId) as raised:
        MessageRef.parse(text)
    assert raised.value.message == why


@pytest.mark.parametrize("name", ["has space", "", "x" * 65, 7])
def test_a_configured_name_is_checked_the_same_way(name: object) -> None:
    from unsend._ref import check_name

    with pytest.raises(ValueError, match=r"1-64 letters, digits, '_', '\.' or '-', got "):
        check_name(name)
    assert check_name("push.eu-1_a") == "push.eu-1_a"
