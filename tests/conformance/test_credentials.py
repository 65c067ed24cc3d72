"""Credentials are checked when a provider is built, for every provider: surrounding white space
is dropped (a token read from a file keeps its newline), anything a header cannot carry is
refused with a ConfigError naming the option, never the value."""

from __future__ import annotations

import pytest

import unsend
from unsend._registry import provider_spec

from .cases import Case


def _build(case: Case, **change: object) -> unsend.Provider:
    return provider_spec(case.name).build(
        {**case.options, **change, "base_url": "http://127.0.0.1:1"}
    )


def _credential_keys(case: Case) -> list[str]:
    return [k for k, v in case.options.items() if v in case.credentials]


def test_every_case_has_credentials_to_check(case: Case) -> None:
    assert _credential_keys(case)


def test_surrounding_white_space_is_dropped(case: Case) -> None:
    for key in _credential_keys(case):
        padded = _build(case, **{key: f"  {case.options[key]}\n"})
        assert padded == _build(case), key


@pytest.mark.parametrize(
    "bad", [None, "", "   ", 42, "a\x00b", "a\nb", "caf\u00e9-token", "\x1b[0m"]
)
def test_what_a_header_cannot_carry_is_refused_naming_the_option(case: Case, bad: object) -> None:
    for key in _credential_keys(case):
        with pytest.raises(unsend.ConfigError) as caught:
            _build(case, **{key: bad})
        text = f"{caught.value} {caught.value!r}"
        assert key.replace("_", " ") in text.replace("_", " "), (key, text)
        if isinstance(bad, str) and len(bad) > 3:
            assert bad not in text
