"""Decoding a response body under the size cap, counting decoded bytes as they are produced.

httpx decodes each raw chunk in one call with no bound on the output, so about 2 KB of
``Content-Encoding: gzip, gzip`` inflate to a gigabyte before any check could run. unsend reads
the raw bytes (already capped, under the deadline) and decodes them here, at most ``STEP`` bytes
of output at a time, checking the cap and the deadline after each step.

gzip and deflate are decoded (a proxy may compress though unsend never asks it to); any other
coding (br, zstd, ...) is refused: unsend does not advertise one, and a body it cannot bound is
not an answer it can trust.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

__all__ = ["MAX_BODY_BYTES", "MAX_CODINGS", "BodyError", "decode_body"]

# A cancel answer is a few hundred bytes; anything far larger is not one, and is not kept.
MAX_BODY_BYTES = 1 << 20
# Stacked codings each multiply the work; real servers apply one.
MAX_CODINGS = 2
STEP = 64 * 1024

_WBITS = {
    "gzip": (zlib.MAX_WBITS | 16,),
    "x-gzip": (zlib.MAX_WBITS | 16,),
    # zlib-wrapped as the RFC says, else raw deflate as some servers send (as httpx does)
    "deflate": (zlib.MAX_WBITS, -zlib.MAX_WBITS),
}


class BodyError(Exception):
    """The body is larger than the cap once decoded, or its coding cannot be decoded."""


def decode_body(
    raw: bytes,
    content_encoding: str | None,
    *,
    limit: int = MAX_BODY_BYTES,
    check: Callable[[], None] = lambda: None,
) -> bytes:
    """``raw`` decoded per ``Content-Encoding`` (outermost last), never more than ``limit`` bytes.

    ``check`` runs after each step of output (the caller's deadline); it may raise.
    """
    if not content_encoding:
        return raw
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > MAX_CODINGS:
        raise BodyError(f"{len(codings)} stacked content codings ({content_encoding!r})")
    body = raw
    for coding in reversed(codings):
        body = _inflate(body, coding, limit, check)
    return body


def _inflate(data: bytes, coding: str, limit: int, check: Callable[[], None]) -> bytes:
    options = _WBITS.get(coding)
    if options is None:
        raise BodyError(f"content coding {coding!r} is not supported")
    failures: list[zlib.error] = []
    for wbits in options:
        try:
            return _inflate_with(data, wbits, limit, check)
        except zlib.error as exc:
            failures.append(exc)
    raise BodyError(f"the {coding} body could not be decoded: {failures[-1]}")


def _inflate_with(data: bytes, wbits: int, limit: int, check: Callable[[], None]) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = bytearray()
    pending = data
    while True:
        chunk = decompressor.decompress(pending, STEP)
        out += chunk
        if len(out) > limit:
            raise BodyError(f"the body is larger than {limit} bytes once decoded")
        check()
        pending = decompressor.unconsumed_tail
        if decompressor.eof or not (chunk or pending):
            return bytes(out)
