"""Running the emulator: uvicorn on a background thread (tests, demo) or in the foreground."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn

from ._app import Emulator, create_app

__all__ = ["EmulatorServer", "serve"]


def _config(app: Emulator, log_level: str) -> uvicorn.Config:
    # loop/http "auto" take uvloop and httptools when installed (the emulator extra has both):
    # the emulator must never be the bottleneck of a benchmark.
    return uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="off",
        loop="auto",
        http="auto",
        access_log=False,
        timeout_keep_alive=30,
    )


class EmulatorServer:
    """The emulator on a real loopback socket, served from a daemon thread.

    ``port=0`` picks a free port; ``url`` tells which. Use as a context manager, or call
    ``start()`` and ``stop()``.
    """

    def __init__(
        self,
        app: Emulator | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.app = app if app is not None else create_app()
        self.host = host
        self._socket = socket.socket(
            socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM
        )
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(_config(self.app, log_level))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"unsend-emulator-{self.port}",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> Self:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    host: str = "127.0.0.1", port: int = 8288, *, seed: int = 0, log_level: str = "info"
) -> None:
    """Serve the emulator in the foreground until interrupted."""
    config = _config(create_app(seed=seed), log_level)
    config.host, config.port = host, port
    uvicorn.Server(config).run()
