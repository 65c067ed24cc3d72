"""Fixtures of the conformance suite: a case per registered provider, every entry point, and a
loopback server that answers the k-th request with the k-th scripted answer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence

import pytest

from tests.hostile.server import HostileServer, Script

from .cases import all_cases
from .entry_points import ENTRY_POINTS

IN_PROCESS = [name for name in ENTRY_POINTS if name not in ("cli",)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = all_cases()
        metafunc.parametrize("case", list(cases.values()), ids=list(cases))
    for fixture, reads in (("reading_case", True), ("unread_case", False)):
        if fixture in metafunc.fixturenames:
            chosen = {n: c for n, c in all_cases().items() if bool(c.reads) is reads}
            metafunc.parametrize(fixture, list(chosen.values()), ids=list(chosen))
    if "entry_point" in metafunc.fixturenames:
        metafunc.parametrize("entry_point", list(ENTRY_POINTS))
    if "in_process" in metafunc.fixturenames:
        metafunc.parametrize("in_process", IN_PROCESS)


class Scripted(HostileServer):
    """Answers request k with ``answers[k]`` (the last one again past the end)."""

    def __init__(self, answers: Sequence[Script]) -> None:
        self.answers = list(answers)
        self.count = 0
        self.lock = threading.Lock()
        super().__init__(self._next)

    def _next(self, head: bytes) -> Script:
        with self.lock:
            index = min(self.count, len(self.answers) - 1)
            self.count += 1
        return self.answers[index]


@pytest.fixture
def serve() -> Iterator[Callable[[Sequence[Script]], Scripted]]:
    servers: list[Scripted] = []

    def start(answers: Sequence[Script]) -> Scripted:
        server = Scripted(answers)
        server.__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
