"""Decoding a body under the cap, on plain bytes (tests/hostile sends the same by socket)."""

from __future__ import annotations

import gzip
import zlib

import pytest

from unsend._engine.body import MAX_BODY_BYTES, MAX_CODINGS, STEP, BodyError, decode_body


def deflate(data: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


BODY = b'{"success": true}'


def test_the_documented_limits() -> None:
    assert (MAX_BODY_BYTES, MAX_CODINGS, STEP) == (1 << 20, 2, 64 * 1024)


@pytest.mark.parametrize("coding", [None, "", "identity", " Identity "])
def test_no_coding_is_the_raw_body(coding: str | None) -> None:
    assert decode_body(BODY, coding) == BODY


@pytest.mark.parametrize(
    ("coding", "packed"),
    [
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY)),
        ("GZIP", gzip.compress(BODY)),
        ("deflate", deflate(BODY, zlib.MAX_WBITS)),
        ("deflate", deflate(BODY, -zlib.MAX_WBITS)),
        ("gzip, gzip", gzip.compress(gzip.compress(BODY))),
        ("deflate, gzip", gzip.compress(deflate(BODY, zlib.MAX_WBITS))),
        ("identity, gzip", gzip.compress(BODY)),
    ],
    # Named by coding, not by the bytes: gzip writes the time into its header, and every
    # pytest-xdist worker must collect the same test names.
    ids=[
        "gzip",
        "x-gzip",
        "GZIP",
        "deflate-zlib",
        "deflate-raw",
        "gzip-gzip",
        "deflate-gzip",
        "identity-gzip",
    ],
)
def test_codings_are_undone_outermost_last(coding: str, packed: bytes) -> None:
    assert decode_body(packed, coding) == BODY


def test_output_exactly_at_the_limit_passes_and_one_more_byte_fails() -> None:
    exact = b"a" * 1000
    assert decode_body(gzip.compress(exact), "gzip", limit=1000) == exact
    with pytest.raises(BodyError, match="larger than 999 bytes once decoded"):
        decode_body(gzip.compress(exact), "gzip", limit=999)


def test_a_bomb_stops_at_the_cap_after_a_few_steps() -> None:
    bomb = gzip.compress(bytes(64 << 20))
    steps: list[int] = []
    with pytest.raises(BodyError, match="once decoded"):
        decode_body(bomb, "gzip", check=lambda: steps.append(1))
    assert len(steps) <= MAX_BODY_BYTES // STEP + 1


def test_a_body_decodes_one_step_at_a_time_to_its_last_byte() -> None:
    """Never more than STEP bytes decoded between two checks, and nothing lost at the end
    (where the input is all read while output is still to come)."""
    original = bytes(range(256)) * (3 * STEP // 256) + b"tail"
    steps: list[int] = []
    for packed, coding in ((gzip.compress(original), "gzip"), (zlib.compress(original), "deflate")):
        steps.clear()
        assert decode_body(packed, coding, check=lambda: steps.append(1)) == original
        assert len(steps) >= len(original) // STEP


def test_the_check_runs_after_each_step_and_may_stop_decoding() -> None:
    class Late(Exception):
        pass

    def late() -> None:
        raise Late

    with pytest.raises(Late):
        decode_body(gzip.compress(BODY), "gzip", check=late)


@pytest.mark.parametrize(
    ("coding", "why"),
    [
        ("br", "'br' is not supported"),
        ("zstd", "'zstd' is not supported"),
        ("gzip, gzip, gzip", "3 stacked"),
        ("compress", "'compress' is not supported"),
    ],
)
def test_refused_codings(coding: str, why: str) -> None:
    with pytest.raises(BodyError, match=why):
        decode_body(b"\x00\x01", coding)


def test_garbage_is_a_body_error_for_both_deflate_forms() -> None:
    with pytest.raises(BodyError, match="could not be decoded") as deflate:
        decode_body(b"not compressed at all", "deflate")
    with pytest.raises(BodyError, match="could not be decoded") as gzipped:
        decode_body(b"not compressed at all", "gzip")
    # zlib's own reason, from the last form tried (raw deflate, after the zlib wrapper)
    assert str(deflate.value) == (
        "the deflate body could not be decoded: Error -3 while decompressing data: "
        "invalid block type"
    )
    assert str(gzipped.value) == (
        "the gzip body could not be decoded: Error -3 while decompressing data: "
        "incorrect header check"
    )


def test_a_truncated_body_decodes_what_arrived() -> None:
    original = bytes(range(256)) * 64
    packed = gzip.compress(original)
    partial = decode_body(packed[: len(packed) // 2], "gzip")
    assert 0 < len(partial) < len(original)
    assert original.startswith(partial)


def test_output_still_inside_the_decoder_when_the_input_ran_out_is_kept() -> None:
    """A zlib stream cut before its checksum, whose last match crosses a step: all the input
    is read when STEP bytes are out, and the rest of the match is still to come."""
    original = bytes(STEP + 1)
    packed = zlib.compress(original)[:-4]  # the Adler-32 trailer never arrived
    assert decode_body(packed, "deflate") == original
