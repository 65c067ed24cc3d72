"""Reading message ids from a file or stdin: UTF-8 (a byte-order mark at the start is dropped).

A line that is not UTF-8 is a usage error naming its line number. For a file that can be read
twice it is found before any request; from a pipe it is found when reached, and the ids read
before it are still cancelled and reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["IdSource", "UndecodableLine", "find_undecodable_line", "scan"]

BOM = b"\xef\xbb\xbf"


class UndecodableLine(ValueError):
    def __init__(self, number: int) -> None:
        super().__init__(f"line {number} of the ids file is not UTF-8 text")
        self.number = number


def _lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UndecodableLine(number) from None


def scan(stream: BinaryIO) -> tuple[UndecodableLine | None, int | None]:
    """Read a seekable stream once before any request, then rewind it: its first undecodable
    line, and how many ids it holds (None for a stream that cannot be read twice, a pipe)."""
    if not stream.seekable():
        return None, None
    start = stream.tell()
    count = 0
    try:
        for _, line in _lines(stream):
            count += bool(line.strip())
    except UndecodableLine as error:
        return error, None
    finally:
        stream.seek(start)
    return None, count


def find_undecodable_line(stream: BinaryIO) -> UndecodableLine | None:
    """The first undecodable line of a seekable stream (rewound after)."""
    return scan(stream)[0]


class IdSource:
    """The ids given as arguments, then those of the stream; ``error`` is set on a bad line.

    A bad line ends the ids instead of raising, so ``cancel_many`` still finishes and reports
    every id read before it.
    """

    def __init__(self, arguments: tuple[str, ...], stream: BinaryIO | None) -> None:
        self.arguments = arguments
        self.stream = stream
        self.error: UndecodableLine | None = None

    def __iter__(self) -> Iterator[str]:
        yield from self.arguments
        if self.stream is None:
            return
        try:
            for _, line in _lines(self.stream):
                if line := line.strip():
                    yield line
        except UndecodableLine as error:
            self.error = error
