"""The emulator in its own process: for soak runs and benchmarks, where a server sharing the
client's interpreter (and its GIL) would distort latency and throughput."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import Self

import httpx

__all__ = ["EmulatorProcess"]


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """``python -m unsend.emulator`` on a free loopback port, started and stopped with ``with``."""

    def __init__(self, *, host: str = "127.0.0.1", seed: int = 0, startup: float = 20.0) -> None:
        self.host = host
        self.port = _free_port(host)
        self.seed = seed
        self.startup = startup
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self._process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "unsend.emulator",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--seed",
                str(self.seed),
                "--log-level",
                "warning",
                "--quiet",
            ],
        )
        deadline = time.monotonic() + self.startup
        while True:
            try:
                if httpx.get(f"{self.url}/_emulator/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self._process.poll() is not None:
                self.stop()
                raise RuntimeError("the emulator process did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
