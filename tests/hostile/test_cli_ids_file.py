"""The CLI's ids file: a BOM is dropped, bad bytes are a usage error, invisible ids are refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

import unsend
from unsend.testing import EmulatorFixture


def cancel(
    emu: EmulatorFixture, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    dsn = f"courier://{emu.credentials.courier_token}@?base_url={quote(emu.url, safe='')}"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    return subprocess.run(
        [sys.executable, "-m", "unsend.cli", "cancel", "--dsn", dsn, "--json", *args],
        input=stdin,
        capture_output=True,
        env=environ,
        timeout=60,
        check=False,
    )


def results(run: subprocess.CompletedProcess[bytes]) -> dict[str, str]:
    lines = [json.loads(line) for line in run.stdout.decode().splitlines()]
    return {line["message_id"]: line["outcome"] for line in lines}


def test_a_utf8_bom_is_not_part_of_the_first_id(
    unsend_emulator: EmulatorFixture, tmp_path: Path
) -> None:
    ids = unsend_emulator.seed("courier", count=3)
    path = tmp_path / "ids.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(ids).encode() + b"\r\n")
    run = cancel(unsend_emulator, "--from-file", str(path))
    assert run.returncode == 0, run.stderr
    assert results(run) == dict.fromkeys(ids, "CANCELLED")
    assert set(unsend_emulator.states("courier").values()) == {"cancelled"}


def test_an_undecodable_file_is_a_usage_error_before_any_request(
    unsend_emulator: EmulatorFixture, tmp_path: Path
) -> None:
    ids = unsend_emulator.seed("courier", count=3)
    path = tmp_path / "ids.txt"
    path.write_bytes(f"{ids[0]}\n{ids[1]}\n\xff\xfe{ids[2]}\n".encode("latin-1"))
    run = cancel(unsend_emulator, "--from-file", str(path))
    assert run.returncode == 2
    assert b"line 3" in run.stderr
    assert b"Traceback" not in run.stderr
    assert unsend_emulator.stats()["courier"] == {}  # found before any request
    assert set(unsend_emulator.states("courier").values()) == {"scheduled"}


def test_an_undecodable_line_from_a_pipe_keeps_the_ids_read_before_it(
    unsend_emulator: EmulatorFixture,
) -> None:
    ids = unsend_emulator.seed("courier", count=4)
    stream = "\n".join(ids[:2]).encode() + b"\n\xc3\x28broken\n" + ids[2].encode() + b"\n"
    run = cancel(unsend_emulator, "--from-file", "-", stdin=stream)
    assert run.returncode == 2
    assert b"line 3" in run.stderr
    assert b"Traceback" not in run.stderr
    assert results(run) == dict.fromkeys(ids[:2], "CANCELLED")  # reported, none lost
    states = unsend_emulator.states("courier")
    assert [states[i] for i in ids] == ["cancelled", "cancelled", "scheduled", "scheduled"]


@pytest.mark.parametrize(
    "invisible", ["\ufeff", "\u200b", "\u200d", "\u202e", "\u2066", "\u00ad", "\u061c"]
)
def test_ids_holding_format_characters_are_invalid(
    unsend_emulator: EmulatorFixture, invisible: str
) -> None:
    [real] = unsend_emulator.seed("courier")
    lookalike = real[:4] + invisible + real[4:]
    run = cancel(unsend_emulator, "--from-file", "-", stdin=f"{lookalike}\n".encode())
    assert run.returncode == 1
    [line] = [json.loads(x) for x in run.stdout.decode().splitlines()]
    assert line["outcome"] == "FAILED"
    assert line["error"]["type"] == "InvalidMessageId"
    assert unsend_emulator.stats()["courier"] == {}
    with pytest.raises(unsend.InvalidMessageId, match="format character"):
        unsend.Courier("courier-token-1234").cancel_request(lookalike)


def test_a_regular_file_s_ids_are_counted_for_the_progress_bar(tmp_path: Path) -> None:
    from unsend.cli._idfile import scan

    path = tmp_path / "ids.txt"
    path.write_bytes(b"\xef\xbb\xbfa\n\nb\r\n  \nc")  # a BOM, blank lines, CRLF, no final newline
    with path.open("rb") as stream:
        assert scan(stream) == (None, 3)
        assert stream.tell() == 0  # rewound: the ids are read again when cancelled
    path.write_bytes(b"a\n\xff\xfe\n")
    with path.open("rb") as stream:
        error, count = scan(stream)
    assert error is not None
    assert (error.number, count) == (2, None)
