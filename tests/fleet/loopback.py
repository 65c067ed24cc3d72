"""A TCP server on 127.0.0.1 that hands each connection to a thread: the base of the storages
that misbehave in front of the shared gate (a proxy that holds answers, a listener that counts)."""

from __future__ import annotations

import socket
import threading


class LoopbackServer:
    """Accepts until closed; each connection goes to ``handle`` on a thread of its own."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)  # how soon the accept loop sees ``stop``
        self.url = f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def handle(self, client: socket.socket) -> None:
        raise NotImplementedError

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self.handle, args=(client,), daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
