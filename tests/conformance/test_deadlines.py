"""Every call ends by its deadline, whatever the server does, for every provider and entry point.

Real time is the point here, so these tests use the real clock. A call is timed from the
moment its server sees its first connection (building a client, an event loop or a TLS context
on a loaded machine is not the cancel's time) to the moment it returns, closed; the CLI's on the
time its own result reports (a Python process starting up is not the cancel's time), with a
guard of two minutes against a hang. The CLI runs once for every provider, each configured by
its own ``UNSEND_<NAME>_DSN`` and cancelled by ref, all at once (a Python process per provider
and kind, 112 of them, was most of this suite's time); one late there runs again alone through
``--dsn``.

The bound is the deadline plus ``SLACK`` (0.5 s): a cancel stops at its deadline and then only
closes a socket and builds its result, which takes milliseconds. Every provider and entry point
runs at once (``AT_ONCE`` in process, then the CLI's one process), each beside its own dripping
server thread, so on a loaded two-core machine a run can be late for want of the CPU, not for
anything it did: beside one CPU-bound process a 1 s cancel once ended 2.8 s after its first
connection. A run late in the crowd is therefore run again alone, up to ``RETRIES`` times, and
fails only if it is late every time. What this suite is for is never hidden by that: a hang (30
s or an endless body), a ten-year sleep or running on to the policy's 50 attempts is late
however often it runs, and alone.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

import unsend
from tests.hostile.server import HostileServer, Script, drip
from unsend._engine.clock import SystemClock

from .cases import all_cases
from .entry_points import ENTRY_POINTS, Seen, cli_dsn, seen

# Short: 208 in-process runs a kind, eight at a time, each waiting out the whole deadline for the
# kinds that never answer (1 s made this suite 141 s of the whole run's 400). What a late run is
# judged by is SLACK, the same whatever the deadline.
DEADLINE = 0.5
SLACK = 0.5
RETRIES = 2
AT_ONCE = 8  # in-process runs in flight together (sixteen threads sharing a process's share of
# a loaded machine took turns at the GIL long enough to finish a second late)
RETRY = unsend.RetryPolicy(max_attempts=50, deadline=DEADLINE, initial=0.1, jitter=0)
CLAIMS = {"CANCELLED", "ALREADY_CANCELLED", "REQUESTED"}


def _bomb() -> bytes:
    """100 MiB of zeros, gzip'd (about 100 KB): a hundred times the body cap."""
    return gzip.compress(bytes(100 << 20), 1)


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n"


def hostile(kind: str, bomb: bytes) -> Script:
    if kind == "never answers":
        return [30.0]  # holds the connection, sends nothing
    if kind == "headers dripped":
        return drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"y" * 400 + b"\r\n\r\n", 0.05)
    if kind == "body dripped":
        return [HEAD, *drip(b"{" * 20_000, 0.05)]
    if kind == "body never ends":
        return [HEAD, b"{", 30.0]
    if kind == "decompression bomb":
        head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: application/json\r\n"
        return [f"{head}Content-Length: {len(bomb)}\r\n\r\n".encode() + bomb]
    if kind == "Retry-After of ten years":
        return [b"HTTP/1.1 429 X\r\nRetry-After: 315360000\r\nContent-Length: 2\r\n\r\n{}"]
    if kind == "503 again and again":
        return [b"HTTP/1.1 503 X\r\nRetry-After: 0.3\r\nContent-Length: 0\r\n\r\n"]
    raise AssertionError(kind)


# The kinds that take the whole deadline in every run are the slow part (10-15 s each): the
# inner loop (-m "not slow") leaves them to the full run, which CI does.
SLOW = pytest.mark.slow
KINDS = [
    pytest.param("never answers", marks=SLOW),
    pytest.param("headers dripped", marks=SLOW),
    pytest.param("body dripped", marks=SLOW),
    pytest.param("body never ends", marks=SLOW),
    pytest.param("503 again and again", marks=SLOW),
    "decompression bomb",
    "Retry-After of ten years",
]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb()


class _Run(threading.Thread):
    def __init__(self, case_name: str, entry_point: str, script: Script) -> None:
        super().__init__(daemon=True)
        self.case = all_cases()[case_name]
        self.entry_point = entry_point
        self.script = script
        self.seen: list[Seen] = []
        self.error: BaseException | None = None
        self.seconds = 0.0

    def run(self) -> None:
        with _slots:
            self._run()

    def _run(self) -> None:
        with HostileServer(lambda head: self.script) as server:
            started = time.monotonic()
            try:
                self.seen = ENTRY_POINTS[self.entry_point](
                    self.case, server.url, [self.case.message_id], retry=RETRY, clock=SystemClock()
                )
            except BaseException as exc:
                self.error = exc
            self.seconds = time.monotonic() - (server.first_connected or started)


_slots = threading.BoundedSemaphore(AT_ONCE)


class _CliRun:
    """The real CLI, once, cancelling one message of every provider by ref, each provider at its
    own hostile server: a ``_Run`` per provider, as if each had run alone."""

    def __init__(self, script: Script) -> None:
        self.runs = [_Run(name, "cli", script) for name in all_cases()]

    def run(self) -> None:
        with contextlib.ExitStack() as stack:
            env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
            refs = []
            for run in self.runs:
                url = stack.enter_context(HostileServer(lambda head, s=run.script: s)).url
                env[f"UNSEND_{run.case.name.upper()}_DSN"] = cli_dsn(run.case, url, RETRY)
                refs.append(f"{run.case.name}:{run.case.message_id}")
            command = [sys.executable, "-m", "unsend.cli", "cancel", "--json", "--ordered"]
            command += ["--concurrency", str(len(refs)), "--", *refs]
            try:
                done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
            except subprocess.TimeoutExpired as exc:
                for run in self.runs:
                    run.error = exc
                return
        shown = done.stdout + "\n" + done.stderr
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        for run, line in zip(self.runs, lines, strict=False):
            result = unsend.CancelResult.from_dict(line)
            if result.provider != run.case.name:  # --ordered: each line is its ref's
                run.error = AssertionError(f"{run.case.name}'s line is {result.provider}'s")
            run.seen = [Seen(seen(result).outcome, shown, result.elapsed)]
        for run in self.runs[len(lines) :]:
            run.error = AssertionError(f"no line for {run.case.name}: {done.stderr[-2000:]}")


def _in_process(script: Script) -> Iterator[_Run]:
    for name in all_cases():
        for entry_point in ENTRY_POINTS:
            if entry_point != "cli":
                yield _Run(name, entry_point, script)


@pytest.mark.parametrize("kind", KINDS)
def test_every_call_ends_by_its_deadline(kind: str, bomb: bytes) -> None:
    script = hostile(kind, bomb)
    runs = list(_in_process(script))
    _together(runs)
    cli = _CliRun(script)
    cli.run()  # after the in-process runs: its cancels are timed too
    late = [run for run in [*runs, *cli.runs] if _checked(run) > DEADLINE + SLACK]
    for _ in range(RETRIES):
        again = [_Run(run.case.name, run.entry_point, script) for run in late]
        for run in again:  # alone: one at a time, nothing else of this test running
            _together([run])
        late = [run for run in again if _checked(run) > DEADLINE + SLACK]
    assert not late, [(f"{r.case.name} {r.entry_point}", round(_took(r), 2)) for r in late]


def _together(batch: list[_Run]) -> None:
    for run in batch:
        run.start()
    for run in batch:
        run.join(DEADLINE + 120)


def _took(run: _Run) -> float:
    return run.seen[0].elapsed if run.entry_point == "cli" else run.seconds


def _checked(run: _Run) -> float:
    """How long the run took, once it is known to have ended without a claim or an error."""
    where = f"{run.case.name} {run.entry_point}"
    assert not run.is_alive(), f"{where}: still running after two minutes"
    assert run.error is None, f"{where}: {run.error!r}"
    assert len(run.seen) == 1, where
    assert run.seen[0].outcome not in CLAIMS, (where, run.seen[0].outcome)
    return _took(run)
