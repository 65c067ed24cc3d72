"""``InProcessEmulator``: the emulator without a port, for fast unit tests.

Requests go to the ASGI app in this process: async cancellers through
``httpx.ASGITransport``; the control API and sync cancellers through ``SyncASGITransport``,
which runs that same transport on one private event loop (so the app's state is only ever
touched from one loop, whichever threads send). Everything else is ``EmulatorFixture``'s.

What needs a real socket is not emulated here: a dropped connection (``drop_rate``) surfaces
as an exception from the app, and nothing is ever slow enough to time out; use the
``unsend_emulator`` fixture for those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .._client import AsyncCanceller, Canceller
from ..emulator import Credentials, Emulator, create_app
from ._emulator import EmulatorFixture

if TYPE_CHECKING:
    from .._router import AsyncRouter, Router

__all__ = ["InProcessEmulator"]

URL = "http://emulator.unsend.invalid"  # never resolved: nothing here opens a socket


class SyncASGITransport(httpx.BaseTransport):
    """An ``httpx`` sync transport over an ASGI app: ``httpx.ASGITransport`` run on a private
    event loop (a daemon thread), each response read whole there."""

    def __init__(self, app: Any) -> None:
        from .._engine.fanout import LoopThread

        self._inner = httpx.ASGITransport(app=app)
        self._loop = LoopThread()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self._loop.run(send())

    def close(self) -> None:
        self._loop.close()


class InProcessEmulator(EmulatorFixture):
    def __init__(
        self, app: Emulator | None = None, *, credentials: Credentials | None = None
    ) -> None:
        self.app = app if app is not None else create_app(credentials=credentials)
        super().__init__(URL, self.app.credentials)
        self._http.close()
        self._transport = SyncASGITransport(self.app)
        self._http = httpx.Client(transport=self._transport, base_url=URL, timeout=30)

    @property
    def sync_client(self) -> httpx.Client:
        """The ``httpx.Client`` that reaches the app (its cancellers send through it)."""
        return self._http

    def async_client(self) -> httpx.AsyncClient:
        """A new ``httpx.AsyncClient`` over the app; close it when done."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=URL)

    def canceller(self, name: str, **kwargs: Any) -> Canceller:
        kwargs.setdefault("client", self._http)
        return super().canceller(name, **kwargs)

    def async_canceller(self, name: str, **kwargs: Any) -> AsyncCanceller:
        kwargs.setdefault("client", self.async_client())
        return super().async_canceller(name, **kwargs)

    def router(self, **extras: Any) -> Router:
        extras.setdefault("client", self._http)
        return super().router(**extras)

    def async_router(self, **extras: Any) -> AsyncRouter:
        extras.setdefault("client", self.async_client())
        return super().async_router(**extras)

    def close(self) -> None:
        super().close()
        self._transport.close()

    def __enter__(self) -> InProcessEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
