"""``redact`` and ``redact_then_cut``, exactly: what is blanked, and what is kept as it was.

The conformance suite proves no credential is ever shown, for every provider and entry point;
these pin the text around a blank, so a blank that starts one character early or late, or an
escape read with the wrong base, fails here.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unsend._redact import BLANK, WINDOW, encoded_forms, redact, redact_then_cut

SECRET = "sk_live_0123456789abcdef"
SLASHED = "abc/def/ghi/jkl"  # a credential holding '/', which JSON may write as '\/'


def _json_escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


def _percent_encoded(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode())


@pytest.mark.parametrize(
    ("text", "blanked"),
    [
        (f"key={SECRET}.", "key=***."),
        ('ab"' + SECRET.replace("_", "\\u005f") + '"cd', 'ab"***"cd'),
        (f"q={_percent_encoded(SECRET)}&x=1", "q=***&x=1"),
        (f"q={_percent_encoded(SECRET).lower()}", "q=***"),
        (f"\\u0041{SECRET}%41", "\\u0041***%41"),
        (f"{SECRET}\\u0041\\u0042", "***\\u0041\\u0042"),
        (f'\\"{_json_escaped(SECRET)}\\"', '\\"***\\"'),
        ("x:" + SLASHED.replace("/", "\\/") + "!", "x:***!"),
        (f"{SECRET[:12]}|{SECRET[12:]}", "***|***"),  # split in two: each half still blanked
        (f"{SECRET} and {SECRET}", "*** and ***"),
        (SECRET * 3, BLANK),  # touching runs are one blank
        (base64.b64encode(SECRET.encode()).decode(), BLANK),
        ("no credential here \\u0041 %41 \\/", "no credential here \\u0041 %41 \\/"),
        (SECRET[: WINDOW - 1], SECRET[: WINDOW - 1]),  # shorter than a window: not a leak
        (SECRET[3 : 3 + WINDOW], BLANK),  # any window of it is one
    ],
)
def test_exactly_the_credential_is_blanked(text: str, blanked: str) -> None:
    assert redact(text, [SECRET, SLASHED]) == blanked


def test_a_composite_is_blanked_in_base64_when_it_is_given_as_one() -> None:
    # base64 of "user:SECRET" shares no window with base64 of SECRET (a different alignment):
    # adapters that send Basic credentials give the composite as one of their secrets.
    basic = base64.b64encode(f"user:{SECRET}".encode()).decode()
    assert redact(f"Basic {basic}", [SECRET]) == f"Basic {basic}"
    assert redact(f"Basic {basic}", [SECRET, f"user:{SECRET}"]) == "Basic ***="


def test_a_credential_shorter_than_a_window_is_never_looked_for() -> None:
    assert redact("abcdefg and more", ["abcdefg"]) == "abcdefg and more"


# Characters that are in no form of the secrets above, and no escape.
OUTSIDE = st.text(alphabet=" !;<>()[]{}|^~", max_size=30)
FORMS = {
    "plain": lambda s: s,
    "json": _json_escaped,
    "percent": _percent_encoded,
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64 unpadded": lambda s: base64.b64encode(s.encode()).decode().rstrip("="),
    "urlsafe": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
}


@given(before=OUTSIDE, after=OUTSIDE, form=st.sampled_from(sorted(FORMS)))
def test_what_surrounds_a_blank_is_kept_as_it_was(before: str, after: str, form: str) -> None:
    echoed = FORMS[form](SLASHED)
    shown = redact(before + echoed + after, [SLASHED])
    # A padded base64 form keeps its '=' (the windows are of the unpadded form).
    assert shown in (before + BLANK + after, before + BLANK + "=" + after)


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        ("a" * 10, 40, "a" * 10),
        ("a" * 40, 40, "a" * 40),
        ("a" * 41, 40, "a" * 40 + "…"),
        ("a" * 30 + SECRET + "b" * 30, 40, "a" * 30 + "***" + "b" * 7 + "…"),
        # A credential escaped six characters to one still ends within what is read.
        ("a" * 38 + _json_escaped(SECRET) + "b" * 30, 40, "a" * 38 + "**…"),
        ("a" * 38 + _json_escaped(SECRET), 40, "a" * 38 + "**…"),
        # Blanking shortened it below the cut: nothing after it was left unread.
        (SECRET * 10, 40, "***…"),
    ],
)
def test_redact_then_cut(text: str, limit: int, shown: str) -> None:
    assert redact_then_cut(text, [SECRET], limit) == shown


def test_forms_are_the_credential_and_its_base64_without_padding() -> None:
    assert encoded_forms("ab?>cdef") == tuple(sorted({"ab?>cdef", "YWI/PmNkZWY", "YWI_PmNkZWY"}))
    # Only padding is stripped: a form ending in a letter keeps it ("...VX", "...V=" not).
    assert encoded_forms("secretsecreW") == ("c2VjcmV0c2VjcmVX", "secretsecreW")
    assert redact("basic c2VjcmV0c2VjcmVX!", ["secretsecreW"]) == "basic ***!"


def test_a_fresh_registry_blanks_nothing_and_hands_out_distinct_handles() -> None:
    from unsend._secret import _Owners

    owners = _Owners()
    assert owners.secrets == ()
    first, second = owners.add(["first-secret-1"]), owners.add(["second-secret-2"])
    assert first is not second
    owners.discard(first)
    assert owners.secrets == ("second-secret-2",)
