"""Compressed bodies: the cap and the deadline apply to decoded bytes as they are produced."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

import unsend

from .run import timed_cancel
from .server import HostileServer, response

DEADLINE = 1.0
GIB = 1 << 30


def _compress_zeros(size: int, wbits: int) -> bytes:
    """``size`` zero bytes compressed, without ever holding them: what a bomb's author does."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + compressor.flush()


@pytest.fixture(scope="module")
def gzip_gzip_gib() -> bytes:
    """About 2 KB that inflate to 1 GiB through ``Content-Encoding: gzip, gzip``."""
    once = _compress_zeros(GIB, zlib.MAX_WBITS | 16)
    twice = gzip.compress(once, 9)
    assert len(twice) < 8_000
    return twice


def bomb(name: str, request: pytest.FixtureRequest) -> tuple[str, bytes]:
    """(Content-Encoding, body) of the named bomb."""
    if name == "gzip, gzip (1 GiB)":
        return "gzip, gzip", request.getfixturevalue("gzip_gzip_gib")
    if name == "three stacked codings":
        return "gzip, gzip, gzip", request.getfixturevalue("gzip_gzip_gib")
    if name == "br (not decodable by unsend)":
        return "br", b"\x1b\xff\xff"
    coding, wbits = {
        "gzip (64 MiB)": ("gzip", zlib.MAX_WBITS | 16),
        "deflate (64 MiB)": ("deflate", zlib.MAX_WBITS),
        "raw deflate (64 MiB)": ("deflate", -zlib.MAX_WBITS),
    }[name]
    return coding, _compress_zeros(64 << 20, wbits)


@pytest.fixture(
    params=[
        "gzip, gzip (1 GiB)",
        "gzip (64 MiB)",
        "deflate (64 MiB)",
        "raw deflate (64 MiB)",
        "br (not decodable by unsend)",
        "three stacked codings",
    ]
)
def bomb_server(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    coding, body = bomb(request.param, request)
    answer = response(400, body, {"Content-Encoding": coding, "Content-Type": "application/json"})
    with HostileServer(lambda head: [answer]) as server:
        yield server


def test_a_compression_bomb_is_an_unexpected_response_within_the_deadline(
    mode: str, bomb_server: HostileServer
) -> None:
    provider = unsend.OneSignal("app-id-1234", "api-key-1234", base_url=bomb_server.url)
    tracemalloc.start()
    try:
        elapsed, outcome = timed_cancel(
            mode, provider, retry=unsend.RetryPolicy(deadline=DEADLINE, max_attempts=3)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(outcome, unsend.UnexpectedResponse), repr(outcome)
    assert outcome.attempts == 1  # never retried
    assert elapsed <= DEADLINE + 1.0  # real time: slack a loaded machine cannot eat
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "x-gzip", "identity, gzip"])
def test_an_honestly_compressed_answer_still_reads(mode: str, coding: str) -> None:
    body = b'{"success": true}'
    wbits = zlib.MAX_WBITS if coding == "deflate" else zlib.MAX_WBITS | 16
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    packed = compressor.compress(body) + compressor.flush()
    answer = response(200, packed, {"Content-Encoding": coding})
    with HostileServer(lambda head: [answer]) as server:
        provider = unsend.OneSignal("app-id-1234", "api-key-1234", base_url=server.url)
        _, outcome = timed_cancel(mode, provider)
    assert isinstance(outcome, unsend.CancelResult), repr(outcome)
    assert outcome.outcome is unsend.Outcome.CANCELLED


def test_a_body_just_over_the_cap_once_decoded_is_refused(mode: str) -> None:
    from unsend._engine.body import MAX_BODY_BYTES

    packed = gzip.compress(b'{"errors": ["' + b"x" * MAX_BODY_BYTES + b'"]}')
    answer = response(400, packed, {"Content-Encoding": "gzip"})
    with HostileServer(lambda head: [answer]) as server:
        provider = unsend.OneSignal("app-id-1234", "api-key-1234", base_url=server.url)
        _, outcome = timed_cancel(mode, provider)
    assert isinstance(outcome, unsend.UnexpectedResponse)
    assert "once decoded" in str(outcome)
