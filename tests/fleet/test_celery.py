"""unsend.fleet with a real Celery worker (Redis broker and backend) against the emulator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import unsend
from unsend.fleet import cancel_chunk, chunked
from unsend.testing import EmulatorFixture

from .redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]
IDS = 10_000


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (from /proc: no procps needed)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.fixture
def worker(
    redis_server: RedisServer, unsend_emulator: EmulatorFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[subprocess.Popen[bytes]]:
    redis_server.flush()
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    env.update(
        UNSEND_TEST_BROKER=redis_server.url,
        UNSEND_DSN=unsend_emulator.dsn("courier"),
        PYTHONPATH=str(ROOT),
    )
    monkeypatch.setenv("UNSEND_TEST_BROKER", redis_server.url)
    command = [sys.executable, "-m", "celery", "-A", "tests.fleet.celery_app", "worker"]
    command += ["--concurrency", "4", "--pool", "prefork", "--loglevel", "warning"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while len(children(process.pid)) < 4:
        assert time.monotonic() < deadline, "the Celery worker did not start"
        time.sleep(0.1)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGQUIT)  # cold shutdown: nothing of the test is left to run
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def busy_pids(celery_app: Any) -> list[int]:
    """The worker processes running a chunk right now."""
    active = celery_app.control.inspect(timeout=1).active() or {}
    return [task["worker_pid"] for tasks in active.values() for task in tasks]


def app():  # type: ignore[no-untyped-def]
    import importlib

    module = importlib.import_module("tests.fleet.celery_app")
    module.app.conf.broker_url = os.environ["UNSEND_TEST_BROKER"]
    module.app.conf.result_backend = os.environ["UNSEND_TEST_BROKER"]
    return module.app


def test_ten_thousand_ids_over_four_workers_one_killed(
    worker: subprocess.Popen[bytes], unsend_emulator: EmulatorFixture
) -> None:
    from unsend.fleet.celery import cancel_in_chunks

    emu = unsend_emulator
    ids: list[str] = []
    for _ in range(IDS // 1000):
        ids += emu.seed("courier", count=1000)
    seen: Counter[str] = Counter()
    results: dict[str, unsend.CancelResult] = {}
    killed = False
    for result in cancel_in_chunks(ids, chunk_size=200, app=app(), timeout=120):
        seen[result.message_id] += 1
        results[result.message_id] = result
        if not killed and len(results) >= 2_000:
            os.kill(children(worker.pid)[0], signal.SIGKILL)  # a worker process dies
            killed = True
    assert killed
    assert set(seen) == set(ids)
    assert max(seen.values()) == 1  # exactly one result per id, the redelivered chunk included
    truth = emu.states("courier")
    wrong = [i for i in ids if results[i].cancelled != (truth[i] == "cancelled")]
    assert wrong == []
    assert all(truth[i] == "cancelled" for i in ids)


def test_a_chunk_whose_worker_died_runs_again_and_is_reported_once(
    worker: subprocess.Popen[bytes], unsend_emulator: EmulatorFixture
) -> None:
    """Deterministic: the chunk's requests hang in the emulator while its process is killed."""
    from unsend.fleet.celery import cancel_in_chunks

    emu = unsend_emulator
    ids = emu.seed("courier", count=10)
    emu.set_faults("courier", latency_ms=3_000)
    celery_app = app()
    stream = cancel_in_chunks(ids, chunk_size=10, app=celery_app, timeout=60)
    killer_done: list[int] = []

    def kill_when_running() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if (busy := busy_pids(celery_app)) and sum(emu.stats()["courier"].values()) == 0:
                time.sleep(0.3)  # its requests are now waiting in the emulator
                emu.set_faults("courier")  # the next attempt is answered at once
                os.kill(busy[0], signal.SIGKILL)
                killer_done.append(busy[0])
                return
            time.sleep(0.05)

    import threading

    killer = threading.Thread(target=kill_when_running)
    killer.start()
    results = list(stream)
    killer.join()
    assert killer_done, "the chunk was never seen running"
    assert sorted(r.message_id for r in results) == sorted(ids)  # once each
    assert all(r.cancelled for r in results)
    assert all(emu.states("courier")[i] == "cancelled" for i in ids)


def test_cancel_chunk_alone_is_engine_neutral(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    ids = emu.seed("courier", count=5)
    with emu.canceller("courier") as canceller:
        first = cancel_chunk([*ids, "bad/id"], canceller=canceller)
        again = cancel_chunk(ids, canceller=canceller)  # a redelivered chunk
    assert [d["message_id"] for d in first] == [*ids, "bad/id"]
    assert [d["outcome"] for d in first] == ["CANCELLED"] * 5 + ["FAILED"]
    assert [d["outcome"] for d in again] == ["ALREADY_CANCELLED"] * 5  # harmless
    assert [unsend.CancelResult.from_dict(d).cancelled for d in again] == [True] * 5
    assert list(chunked(iter(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="chunk size"):
        list(chunked([], 0))


def test_a_worker_reads_its_configuration_from_its_environment(
    unsend_emulator: EmulatorFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = unsend_emulator
    for key in [k for k in os.environ if k.startswith("UNSEND_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("UNSEND_MAIL_DSN", emu.dsn("courier"))
    monkeypatch.setenv("UNSEND_PUSH_DSN", emu.dsn("onesignal"))
    mail = emu.seed("courier", count=2)
    push = emu.seed("onesignal", count=2)
    refs = [f"mail:{i}" for i in mail] + [f"push:{i}" for i in push]
    assert [d["ref"] for d in cancel_chunk(refs)] == refs
    assert all(s == "cancelled" for s in emu.states("courier").values())


def test_an_app_without_a_result_backend_is_refused_before_anything_is_sent(
    redis_url: str,
) -> None:
    """Before: two cancels were sent, then AttributeError on DisabledBackend lost them."""
    from celery import Celery

    from unsend.fleet.celery import cancel_in_chunks

    sent: list[object] = []
    app = Celery("no-backend", broker=redis_url, include=["unsend.fleet.celery"])
    app.conf.task_always_eager = False
    app.loader.import_default_modules()
    task = app.tasks["unsend.cancel_chunk"]
    original = task.apply_async
    task.apply_async = lambda *a, **k: sent.append(a) or original(*a, **k)  # type: ignore[method-assign]
    with pytest.raises(unsend.ConfigError, match="result_backend"):
        cancel_in_chunks(["1-a", "1-b"], app=app)
    assert sent == []
