"""Hypothesis strategies shared by the fuzz tests."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import strategies as st

STATUSES = st.one_of(
    st.sampled_from([200, 202, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504]),
    st.integers(min_value=100, max_value=599),
)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=12,
)
PROVIDER_KEYS = [
    "success",
    "errors",
    "error",
    "cancelled",
    "actionId",
    "id",
    "status",
    "enqueued",
    "recipient",
    "event",
    "notification",
    "reason",
    "sent",
]
# Bodies that look like the providers' own, with every field possibly of the wrong type.
LOOKALIKE_BODIES = st.dictionaries(st.sampled_from(PROVIDER_KEYS), JSON_VALUES, max_size=8)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(
        st.sampled_from(["lookalike", "json", "truncated", "binary", "text", "empty", "huge"])
    )
    if kind == "lookalike":
        return json.dumps(draw(LOOKALIKE_BODIES)).encode()
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode()
    if kind == "truncated":
        text = json.dumps(draw(LOOKALIKE_BODIES)).encode()
        return text[: draw(st.integers(0, max(0, len(text) - 1)))]
    if kind == "binary":
        return draw(st.binary(max_size=200))
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    if kind == "huge":
        return b'{"success": true, "pad": "' + b"x" * draw(st.integers(10_000, 200_000)) + b'"}'
    return b""


HEADER_VALUES = st.one_of(
    st.sampled_from(
        [
            "0",
            "1",
            "-1",
            "nan",
            "inf",
            "1e400",
            "3600",
            "soon",
            "",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Thu, 01 Jan 2099 00:00:00 GMT",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "Retry-After",
            "retry-after-ms",
            "Burst-RateLimit-Reset",
            "RateLimit-Limit",
            "RateLimit-Reset",
            "Content-Type",
        ]
    ),
    HEADER_VALUES,
    max_size=4,
)


@st.composite
def responses(draw: st.DrawFn) -> httpx.Response:
    return httpx.Response(draw(STATUSES), headers=draw(HEADERS), content=draw(bodies()))


# Ids: anything at all, with the characters that matter to URLs well represented.
URL_ALPHABET = st.sampled_from([*"/?#%\\.&=+;:@ \t\n\x00\x7f~-_", "é", "🙂", "\u2028", "ß"])
MESSAGE_IDS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=URL_ALPHABET | st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["", ".", "..", "...", "../", "%2F", "%2e%2e", "a/../b", "msg_1?x=1", "#"]),
)
