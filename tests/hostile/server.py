"""A raw HTTP server on 127.0.0.1 that answers what a test scripts, byte by byte if asked.

``respond(request_head)`` returns what to do for one request: ``bytes`` to send, or a number of
seconds to pause, in order. The server reads each request (head and body, by Content-Length),
records it, and keeps the connection open until the script ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Self

Script = Iterable[bytes | float]


class HostileServer:
    def __init__(self, respond: Callable[[bytes], Script]) -> None:
        self.respond = respond  # may be replaced between requests
        self.requests: list[bytes] = []
        self.first_connected: float | None = None  # time.monotonic() of the first connection
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):  # wake the accept loop now, not at its next timeout
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        self.thread.join(2)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            if self.first_connected is None:
                self.first_connected = time.monotonic()
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket, pending: list[bytes]) -> bytes | None:
        """One request: its head, then its body by Content-Length (kept after the head)."""
        data = pending[0]
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        pending[0] = rest[length:]
        return head + b"\r\n\r\n" + rest[:length]

    def _handle(self, conn: socket.socket) -> None:
        pending = [b""]  # what arrived past the last request read
        with conn:
            conn.settimeout(5)
            while not self.stop.is_set():
                try:
                    head = self._read_request(conn, pending)
                except OSError:
                    return
                if head is None:
                    return
                self.requests.append(head)
                try:
                    for step in self.respond(head):
                        if self.stop.is_set():
                            return
                        if isinstance(step, bytes):
                            conn.sendall(step)
                        else:
                            time.sleep(step)
                except OSError:
                    return


def response(
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    reason: str = "X",
) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def drip(data: bytes, every: float) -> Iterator[bytes | float]:
    """``data`` one byte at a time, ``every`` seconds apart."""
    for byte in data:
        yield bytes([byte])
        yield every


def request_line(head: bytes) -> str:
    return head.split(b"\r\n", 1)[0].decode("latin-1")
