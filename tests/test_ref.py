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


def test_describing_a_value_whose_repr_raises_never_fails() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    with pytest.raises(unsend.InvalidMessageId, match="Hostile"):
        MessageRef.parse(Hostile())
