"""The HTTP clients a canceller owns: httpx by default, sync and async; aiohttp by choice.

httpx is the default so that everything a team already points at httpx sees unsend's requests:
respx mocks, event hooks, OpenTelemetry's httpx instrumentation. ``transport="aiohttp"`` (the
``unsend[aiohttp]`` extra) sends the async requests through one aiohttp session instead, whose
pool costs far less CPU per request under concurrency (docs: Benchmarks).

httpcore's pool rescans every connection for every waiting request on each event, so one big
pool under 50 concurrent cancels spends most of its time scanning (profiled: ~2,400 ``is_idle``
calls per request). An owned httpx client is therefore several small pools ("lanes") sharing the
process's one TLS context (``tls``): a single cancel takes the first lane with a free connection,
each ``cancel_many`` worker keeps one (measured at concurrency 50: ~2,300 cancels/s instead of
~530).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import httpx

from .._errors import ConfigError
from .lanes import Lanes
from .tls import shared_tls_context
from .transport import AsyncLane, HttpxAsyncLane

if TYPE_CHECKING:
    from .._provider import Provider

__all__ = [
    "LANES",
    "LANE_CONNECTIONS",
    "LANE_LIMITS",
    "TRANSPORTS",
    "Transport",
    "async_lanes",
    "check_transport",
    "sync_lanes",
]

Transport = Literal["httpx", "aiohttp"]
TRANSPORTS: Final = ("httpx", "aiohttp")

LANES: Final = 32
LANE_CONNECTIONS: Final = 2
# How many connections a single cancel expects of a lane before it takes the next; a lane is
# never capped, so a fan-out wider than LANES * LANE_CONNECTIONS opens more instead of waiting.
LANE_LIMITS: Final = httpx.Limits(max_connections=None, max_keepalive_connections=None)
# aiohttp's pool does not rescan its connections per request: one session serves every task.
AIOHTTP_CONNECTIONS: Final = 256


def check_transport(transport: object, client: object = None, key: str = "transport") -> Transport:
    """``transport`` if unsend can send through it here; a ``ConfigError`` saying why not."""
    if transport not in TRANSPORTS:
        raise ConfigError(f"{key} must be 'httpx' or 'aiohttp', got {transport!r}")
    if transport == "aiohttp":
        if client is not None:
            raise ConfigError(
                "client= is an httpx client: it cannot be used with transport='aiohttp'"
            )
        try:
            import aiohttp  # noqa: F401
        except ImportError:
            raise ConfigError(
                "transport='aiohttp' needs the aiohttp extra: pip install 'unsend[aiohttp]'"
            ) from None
    return transport


def _in_memory(provider: Provider | None) -> bool:
    from .._provider import SupportsTransport

    return isinstance(provider, SupportsTransport)


def sync_lanes(client: httpx.Client | None, provider: Provider | None) -> Lanes[httpx.Client]:
    """The caller's client as one lane, or small pools sharing one TLS context, whose sockets
    end by each attempt's deadline (see ``deadline``)."""
    if client is not None:
        return Lanes.single(client)
    if _in_memory(provider):
        return Lanes.single(httpx.Client(transport=provider.sync_transport()))  # type: ignore[union-attr]
    tls = shared_tls_context()

    def make() -> httpx.Client:
        from .deadline import DeadlineTransport

        return httpx.Client(transport=DeadlineTransport(ssl_context=tls, limits=LANE_LIMITS))

    return Lanes(make, LANES, LANE_CONNECTIONS)


def async_lanes(
    client: httpx.AsyncClient | None, provider: Provider | None, transport: Transport = "httpx"
) -> Lanes[AsyncLane]:
    """The caller's client as one lane; else the provider's own transport for one answered in
    memory, unsend's aiohttp session when chosen, or small httpx pools."""
    if client is not None:
        return Lanes.single(HttpxAsyncLane(client))
    if _in_memory(provider):
        memory = provider.async_transport()  # type: ignore[union-attr]
        return Lanes.single(HttpxAsyncLane(httpx.AsyncClient(transport=memory)))
    tls = shared_tls_context()
    if transport == "aiohttp":
        from .aio import AiohttpLane

        return Lanes.single(AiohttpLane(limit=AIOHTTP_CONNECTIONS, verify=tls))

    def make() -> AsyncLane:
        return HttpxAsyncLane(httpx.AsyncClient(limits=LANE_LIMITS, verify=tls))

    return Lanes(make, LANES, LANE_CONNECTIONS)
