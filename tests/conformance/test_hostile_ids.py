"""Ids never escape their path segment: refused before any request, or confined.

Every hostile id goes through every entry point to a loopback server that answers each request
with the documented success. For each id, either the entry point refuses it as an invalid id
and no request leaves, or the raw request line the server receives has the same path segments
and query keys as a valid id's, and no segment reads as ``.`` or ``..``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl, unquote

from tests.hostile.server import request_line

from .cases import Case
from .conftest import Scripted
from .entry_points import ENTRY_POINTS

HOSTILE = [
    "..",
    ".",
    "%2e%2e",
    "a/../../admin",
    "/",
    "a/b",
    "a?admin=1",
    "a#frag",
    "a\nHost: evil",
    "a\r\nX: y",
    "a\x00b",
    "a b",
    "x" * 10_000,
    "",
    "\\..\\",
    "%2F",
    "%00",
]
ARGV_SAFE = [i for i in HOSTILE if "\x00" not in i and "\n" not in i and "\r" not in i and i]


def _shape(head: bytes) -> tuple[int, list[str], list[str]]:
    """(segment count, segments, query keys) of a request line's target."""
    target = request_line(head).split(" ")[1]
    path, _, query = target.partition("?")
    segments = path.split("/")
    return len(segments), segments, sorted(k for k, _ in parse_qsl(query, keep_blank_values=True))


def test_hostile_ids_are_refused_or_confined(
    case: Case, entry_point: str, serve: Callable[[Sequence[bytes]], Scripted]
) -> None:
    server = serve([[case.success.raw()]])
    ENTRY_POINTS["Canceller.cancel"](case, server.url, [case.message_id])
    count, _, keys = _shape(server.requests[0])
    ids = ARGV_SAFE if entry_point == "cli" else HOSTILE
    seen = ENTRY_POINTS[entry_point](case, server.url, ids)
    assert len(seen) == len(ids)
    sent = iter(server.requests[1:])
    for message_id, result in zip(ids, seen, strict=True):
        if result.outcome == "InvalidMessageId":
            continue
        head = next(sent, None)
        assert head is not None, f"{message_id!r}: {result.outcome} without a request"
        got_count, segments, got_keys = _shape(head)
        assert (got_count, got_keys) == (count, keys), (message_id, request_line(head))
        assert not any(unquote(s) in (".", "..") for s in segments), request_line(head)
    assert next(sent, None) is None, "more requests than ids that were not refused"


def refused_alone(valid: str) -> list[str]:
    """The valid id made unsendable: empty, a control character, NUL, far too long."""
    return ["", valid + "\n", valid + "\r\nX: y", valid + "\x00", valid + "x" * 10_000]


def test_each_adapter_alone_refuses_what_no_path_can_carry(case: Case) -> None:
    """Adapters are usable without a canceller: each validates ids itself, before any request
    exists (the engine checks too, so a canceller alone would hide an adapter that forgot)."""
    import pytest

    import unsend

    provider = case.provider("http://127.0.0.1:1")
    for message_id in refused_alone(case.message_id):
        with pytest.raises(unsend.InvalidMessageId) as refused:
            provider.cancel_request(message_id)
        assert refused.value.provider == case.name  # the refusal names its provider
