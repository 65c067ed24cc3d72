"""Never a false CANCELLED: only a provider's documented success is a cancel.

Every variant of the documented success that is not it (an HTML page, an empty body, ``{}``, a
204 with a body, the right status naming another message) and every
redirect is answered by a loopback server, through every entry point. None may be read as a
cancel; a redirect is never followed (the server sees exactly one request per id).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .cases import Answer, Case
from .conftest import Scripted
from .entry_points import ENTRY_POINTS

CLAIMS = {"CANCELLED", "ALREADY_CANCELLED", "REQUESTED"}
PORTAL = b"<html><body><h1>Sign in to the guest Wi-Fi</h1></body></html>"
CLOSE = (("Connection", "close"),)


def _answer(status: int, body: bytes, content_type: str | None = "application/json") -> bytes:
    headers = CLOSE + ((("Content-Type", content_type),) if content_type else ())
    return Answer(status, headers, body).raw()


# Each character is swapped for the next of its own class, so the id keeps every provider's
# shape (hex stays hex, upper case stays upper case). Appending a character instead broke
# Twilio's fixed-length SID whenever a random id held none of the swappable characters.
_CLASSES = ("0123456789", "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ")
_NEXT = {c: cls[(i + 1) % len(cls)] for cls in _CLASSES for i, c in enumerate(cls)}


def _another_id(message_id: str) -> str:
    """An id of the same shape that is not this one: its last letter or digit swapped."""
    for index in range(len(message_id) - 1, -1, -1):
        if message_id[index] in _NEXT:
            return message_id[:index] + _NEXT[message_id[index]] + message_id[index + 1 :]
    raise AssertionError(f"{message_id!r} has no letter or digit to swap")


def not_the_documented_success(case: Case) -> dict[str, bytes]:
    success = case.success
    body = success.body
    variants = {
        "html page": _answer(success.status, PORTAL, "text/html"),
        "empty body": _answer(success.status, b"", None),
        "{}": _answer(success.status, b"{}"),
    }
    if success.status != 204:
        variants["204 with the success body"] = _answer(204, body or b"{}")
    else:
        variants["204 with a body"] = _answer(204, b'{"ok": true}')
    if body and case.message_id.encode() in body:
        other = _another_id(case.message_id).encode()
        variants["another message's id"] = _answer(
            success.status, body.replace(case.message_id.encode(), other)
        )
    # A variant the same as the success on the wire (QStash's success is an empty 200) is no
    # variant: it is dropped, not skipped.
    same = Answer(success.status, CLOSE, body).raw()
    return {name: raw for name, raw in variants.items() if _wire(raw) != _wire(same)}


def _wire(raw: bytes) -> tuple[bytes, bytes]:
    """Status line and body: what a reader of the answer can tell apart."""
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], body


def redirects(case: Case, url: str) -> dict[str, bytes]:
    out = {}
    for status in (301, 302, 303, 307, 308):
        headers = (*CLOSE, ("Location", f"{url}/elsewhere"))
        out[f"{status} redirect"] = Answer(status, headers, b"").raw()
    return out


def test_another_id_is_another_valid_id_of_the_same_provider(case: Case) -> None:
    provider = case.provider("http://127.0.0.1:1")
    # Every digit a 9 and every hex letter an f: an id holding none of 0, 1, a and b, which the
    # first version of this swap lengthened (a Twilio SID of the wrong length, seen in CI).
    worn = case.message_id.translate(str.maketrans("012345678abcdeABCDE", "999999999fffffFFFFF"))
    for message_id in (case.message_id, worn):
        other = _another_id(message_id)
        assert other != message_id
        assert len(other) == len(message_id)
        provider.cancel_request(other)  # the provider's own check: a valid id, no error


def test_variants_exist_for_every_case(case: Case) -> None:
    assert len(not_the_documented_success(case)) >= 3


def test_no_answer_but_the_documented_success_is_a_cancel(
    case: Case, entry_point: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    variants = not_the_documented_success(case)
    server = serve([[answer] for answer in variants.values()])
    seen = ENTRY_POINTS[entry_point](case, server.url, [case.message_id] * len(variants))
    assert len(seen) == len(variants)
    claimed = {
        name: s.outcome for name, s in zip(variants, seen, strict=True) if s.outcome in CLAIMS
    }
    assert not claimed, claimed


def test_a_redirect_is_never_followed_nor_a_cancel(
    case: Case, entry_point: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    server = serve([[b""]])
    variants = redirects(case, server.url)
    server.answers = [[answer] for answer in variants.values()] + [[case.success.raw()]]
    seen = ENTRY_POINTS[entry_point](case, server.url, [case.message_id] * len(variants))
    claimed = {
        name: s.outcome for name, s in zip(variants, seen, strict=True) if s.outcome in CLAIMS
    }
    assert not claimed, claimed
    assert server.count == len(variants), "a redirect was followed"
    assert all(s.outcome == "UnexpectedResponse" for s in seen), [s.outcome for s in seen]
