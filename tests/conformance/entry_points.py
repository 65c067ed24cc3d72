"""Every way a user cancels, as one function shape: cancel these ids at ``url``, one at a time.

``run(case, url, ids, **options)`` returns what the user saw for each id, in order: the outcome
(or the error's type) and every text shown (str, repr, detail, ``to_dict()``, the error's text
and excerpt, the CLI's output). Ids go one at a time (concurrency 1, in order) so a scripted
server can answer the k-th request with the k-th answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import anyio
import attrs

import unsend
from unsend._engine.clock import FakeClock
from unsend.fleet import cancel_chunk

from .cases import Case

ROUTE = "r"  # the name a router configures the case under


@attrs.frozen
class Seen:
    outcome: str
    """The outcome's name, or the type of the error raised."""
    shown: str
    """Everything the user could read of it."""
    elapsed: float = 0.0
    """What the result says the cancel took (0 for a raised error)."""


def _texts(value: object) -> list[str]:
    texts = [str(value), repr(value)]
    if isinstance(value, unsend.CancelResult):
        texts += [str(value.detail), json.dumps(value.to_dict())]
        value = value.error
    if isinstance(value, unsend.UnsendError):
        texts += [str(value), repr(value), repr(value.args)]
        if isinstance(value, unsend.UnexpectedResponse):
            texts.append(value.body_excerpt)
    return texts


def seen(value: object) -> Seen:
    if isinstance(value, unsend.CancelResult):
        outcome = value.outcome.name
        if value.outcome is unsend.Outcome.FAILED and value.error is not None:
            outcome = type(value.error).__name__
        return Seen(outcome, "\n".join(_texts(value)), value.elapsed)
    return Seen(type(value).__name__, "\n".join(_texts(value)))


def _confirm(kw: dict[str, Any]) -> bool:
    return bool(kw.get("confirm", False))


def _options(kw: dict[str, Any]) -> dict[str, Any]:
    """A canceller's options: the test's retry policy and clock (a FakeClock unless given),
    and the transport the entry point sends through."""
    retry = kw.get("retry") or unsend.RetryPolicy.never()
    return {"clock": kw.get("clock") or FakeClock(), "retry": retry, **_transport(kw)}


def _transport(kw: dict[str, Any]) -> dict[str, Any]:
    return {"transport": kw["transport"]} if "transport" in kw else {}


def _config(case: Case, url: str, retry: unsend.RetryPolicy | None) -> dict[str, Any]:
    """The case as a configuration mapping, its retry policy written into it."""
    retry = retry or unsend.RetryPolicy.never()
    written = {"max_attempts": retry.max_attempts, "deadline": retry.deadline}
    written |= {"backoff_initial": retry.initial, "backoff_max": retry.max, "jitter": retry.jitter}
    return {**case.config(url), **written}


def _routed(case: Case, url: str, kw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    extras = {"clock": kw.get("clock") or FakeClock(), **_transport(kw)}
    return {ROUTE: _config(case, url, kw.get("retry"))}, extras


def canceller_cancel(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    out = []
    with unsend.Canceller(case.provider(url), **_options(kw)) as canceller:
        for message_id in ids:
            try:
                out.append(seen(canceller.cancel(message_id, confirm=_confirm(kw))))
            except unsend.UnsendError as error:
                out.append(seen(error))
    return out


def async_canceller_cancel(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    async def main() -> list[Seen]:
        out = []
        options = _options(kw)
        async with unsend.AsyncCanceller(case.provider(url), **options) as canceller:
            for message_id in ids:
                try:
                    out.append(seen(await canceller.cancel(message_id, confirm=_confirm(kw))))
                except unsend.UnsendError as error:
                    out.append(seen(error))
        return out

    return anyio.run(main)


def canceller_cancel_many(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    with unsend.Canceller(case.provider(url), **_options(kw)) as canceller:
        stream = canceller.cancel_many(ids, concurrency=1, ordered=True, confirm=_confirm(kw))
        return [seen(r) for r in stream]


def async_canceller_cancel_many(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    async def main() -> list[Seen]:
        options = _options(kw)
        async with unsend.AsyncCanceller(case.provider(url), **options) as canceller:
            stream = canceller.cancel_many(ids, concurrency=1, ordered=True, confirm=_confirm(kw))
            return [seen(r) async for r in stream]

    return anyio.run(main)


def router_cancel(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    out = []
    configs, extras = _routed(case, url, kw)
    with unsend.Router(configs, **extras) as router:
        for message_id in ids:
            try:
                out.append(seen(router.cancel(f"{ROUTE}:{message_id}", confirm=_confirm(kw))))
            except unsend.UnsendError as error:
                out.append(seen(error))
    return out


def async_router_cancel(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    async def main() -> list[Seen]:
        out = []
        configs, extras = _routed(case, url, kw)
        async with unsend.AsyncRouter(configs, **extras) as router:
            for message_id in ids:
                try:
                    out.append(
                        seen(await router.cancel(f"{ROUTE}:{message_id}", confirm=_confirm(kw)))
                    )
                except unsend.UnsendError as error:
                    out.append(seen(error))
        return out

    return anyio.run(main)


def router_cancel_many(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    refs = [f"{ROUTE}:{i}" for i in ids]
    configs, extras = _routed(case, url, kw)
    with unsend.Router(configs, **extras) as router:
        stream = router.cancel_many(refs, concurrency=1, ordered=True, confirm=_confirm(kw))
        return [seen(r) for r in stream]


def async_router_cancel_many(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    refs = [f"{ROUTE}:{i}" for i in ids]

    async def main() -> list[Seen]:
        configs, extras = _routed(case, url, kw)
        async with unsend.AsyncRouter(configs, **extras) as router:
            stream = router.cancel_many(refs, concurrency=1, ordered=True, confirm=_confirm(kw))
            return [seen(r) async for r in stream]

    return anyio.run(main)


def fleet_chunk(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    clock = kw.get("clock") or FakeClock()
    canceller = unsend.from_config(_config(case, url, kw.get("retry")), clock=clock)
    with canceller:
        dicts = cancel_chunk(ids, canceller=canceller, concurrency=1, confirm=_confirm(kw))
    return [seen(unsend.CancelResult.from_dict(d)) for d in dicts]


def cli_dsn(case: Case, url: str, retry: unsend.RetryPolicy) -> str:
    """The case's DSN at ``url``, with ``retry`` said in its query."""
    return case.dsn(
        url,
        max_attempts=retry.max_attempts,
        deadline=retry.deadline,
        backoff_initial=retry.initial,
        jitter=retry.jitter,
    )


def cli(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
    """The real CLI in a subprocess; every line it printed, stdout and stderr, is shown."""
    dsn = cli_dsn(case, url, kw.get("retry") or unsend.RetryPolicy.never())
    command = [sys.executable, "-m", "unsend.cli", "cancel", "--dsn", dsn, "--json"]
    command += ["--concurrency", "1", "--ordered", *(["--confirm"] if _confirm(kw) else [])]
    command += ["--", *ids]
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    everything = done.stdout + "\n" + done.stderr
    out = []
    for line in lines:
        result = unsend.CancelResult.from_dict(json.loads(line))
        out.append(Seen(seen(result).outcome, everything, result.elapsed))
    return out


def _on_aiohttp(entry_point: Callable[..., list[Seen]]) -> Callable[..., list[Seen]]:
    """The same entry point with ``transport="aiohttp"``: every guarantee holds on both."""

    def run(case: Case, url: str, ids: list[str], **kw: Any) -> list[Seen]:
        return entry_point(case, url, ids, transport="aiohttp", **kw)

    return run


ENTRY_POINTS: dict[str, Callable[..., list[Seen]]] = {
    "Canceller.cancel": canceller_cancel,
    "AsyncCanceller.cancel": async_canceller_cancel,
    "Canceller.cancel_many": canceller_cancel_many,
    "AsyncCanceller.cancel_many": async_canceller_cancel_many,
    "Router.cancel": router_cancel,
    "AsyncRouter.cancel": async_router_cancel,
    "Router.cancel_many": router_cancel_many,
    "AsyncRouter.cancel_many": async_router_cancel_many,
    "fleet.cancel_chunk": fleet_chunk,
    "cli": cli,
    # aiohttp, chosen by name: its async single send, the sync fan-out's private loop, and the
    # async fan-out (the router's, so routing is covered on it too).
    "AsyncCanceller.cancel[aiohttp]": _on_aiohttp(async_canceller_cancel),
    "Canceller.cancel_many[aiohttp]": _on_aiohttp(canceller_cancel_many),
    "AsyncRouter.cancel_many[aiohttp]": _on_aiohttp(async_router_cancel_many),
}
