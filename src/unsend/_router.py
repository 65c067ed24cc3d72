"""``Router`` and ``AsyncRouter``: several configured providers behind one ``cancel(ref)``.

A service sends through several providers (push, email, webhooks) and swaps them by
configuration while messages scheduled at the old one are still pending. It stores a
``MessageRef`` ("push:b2f7…") per message; a router maps the ref's name to the canceller
configured under it. Each name keeps its own canceller: its own gate (``max_rate``, the shared
429 pause), retries and clients.

``cancel_many`` is one fan-out over the refs: ``concurrency`` is per provider (a provider that
is pausing on a 429 holds only its own slots), ``max_rate`` paces each provider apart, and a
ref that names nothing configured, or is not ``name:id``, is that ref's failed result.
"""

from __future__ import annotations

import os
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Generator,
    Iterable,
    Mapping,
)
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, Unpack

import attrs
import httpx

from ._client import AsyncCanceller, Canceller, fan_out_cancel, fan_out_cancel_async
from ._config import AsyncExtras, SyncExtras, build, check_extras, env_config, read_toml
from ._engine.fanout import DEFAULT_CONCURRENCY, check_concurrency, failed_result
from ._engine.gate import Gate
from ._engine.pools import Transport, async_lanes, check_transport
from ._engine.sync_host import SyncFanOutHost
from ._engine.transport import AsyncLane, HttpxAsyncLane
from ._errors import ConfigError, UnsendError
from ._logging import log_result, routed_as
from ._provider import Provider, SupportsTransport
from ._ref import MessageRef, check_name, shown
from ._result import CancelResult, CheckResult, MessageStatus
from ._telemetry import count_result, current_context

if TYPE_CHECKING:
    from ._engine.fanout import FanOut

__all__ = ["AsyncRouter", "ProviderConfig", "Router"]

ProviderConfig = str | Mapping[str, Any] | Provider
"""A DSN string, a mapping as ``from_config`` takes it, or a provider object."""

C = TypeVar("C", Canceller, AsyncCanceller)


class _RouterBase(Generic[C]):
    _asynchronous: bool

    def __init__(
        self,
        configs: Mapping[str, ProviderConfig],
        extras: Mapping[str, Any],
        default: str | None = None,
    ) -> None:
        if not isinstance(configs, Mapping) or not configs:
            raise ConfigError("a router needs a mapping of at least one name to a configuration")
        if default is not None and default not in configs:
            raise ConfigError(f"default {default!r} is not a configured name")
        self.default = default
        extras = check_extras(extras, self._asynchronous)
        self.on_result = extras.pop("on_result", None)
        self._client = extras.get("client")
        self.transport: Transport = check_transport(extras.get("transport", "httpx"), self._client)
        """What the fan-out's requests travel through: see ``Canceller``'s ``transport``."""
        self._cancellers: dict[str, C] = {}
        try:
            for name, config in configs.items():
                try:
                    check_name(name)
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
                self._cancellers[name] = self._build(name, config, extras)
        except BaseException:
            self._close_built()
            raise

    def _build(self, name: str, config: ProviderConfig, extras: dict[str, Any]) -> C:
        try:
            if isinstance(config, Provider):
                kind = AsyncCanceller if self._asynchronous else Canceller
                return kind(config, **extras)  # type: ignore[return-value]
            if isinstance(config, str | Mapping):
                return build(config, self._asynchronous, extras)  # type: ignore[return-value]
        except ConfigError as exc:
            raise ConfigError(f"{name}: {exc.message}", provider=exc.provider) from None
        raise ConfigError(
            f"{name}: a configuration is a DSN, a mapping or a provider, "
            f"got {type(config).__name__}"
        )

    def _close_built(self) -> None:
        """Close what a failed constructor had built (sync only: nothing async is open yet)."""
        for canceller in self._cancellers.values():
            if isinstance(canceller, Canceller):
                canceller.close()

    @property
    def names(self) -> tuple[str, ...]:
        """The configured names, in configuration order."""
        return tuple(self._cancellers)

    def canceller(self, name: str) -> C:
        """The canceller configured under ``name`` (``ConfigError`` if none is)."""
        canceller = self._cancellers.get(name)
        if canceller is None:
            raise ConfigError(
                f"no provider is configured as {name!r}; configured: {', '.join(self._cancellers)}"
            )
        return canceller

    def provider(self, name: str) -> Provider:
        return self.canceller(name).provider

    def ref(self, name: str, message_id: str) -> MessageRef:
        """The ref to store for a message sent through ``name`` (checked to be configured)."""
        self.canceller(name)
        return MessageRef(name, message_id)

    def _route(self, ref: MessageRef | str) -> tuple[MessageRef, C]:
        """The ref's canceller: ``name:id`` goes to ``name`` or fails (never to the default);
        a bare id (no colon) goes to the default, when there is one."""
        if self.default is not None and isinstance(ref, str) and ref and ":" not in ref:
            parsed = MessageRef(self.default, ref)
        else:
            parsed = MessageRef.parse(ref)
        return parsed, self.canceller(parsed.name)

    def _finished(self, result: CancelResult, *, log: bool = False) -> CancelResult:
        """``log``: a result no canceller logged (cancel_many's, an unroutable ref's)."""
        if log:
            log_result(result)
            count_result(result)
        if self.on_result is not None:
            self.on_result(result)
        return result

    def _report_failure(self, ref: MessageRef, canceller: C, error: UnsendError) -> None:
        if self.on_result is not None:
            result = failed_result(canceller.provider.name, ref.message_id, error, 0.0)
            self.on_result(attrs.evolve(result, name=ref.name))

    def _fan_out(
        self,
        refs: Iterable[MessageRef | str] | AsyncIterable[MessageRef | str],
        lane_of: Any,
        concurrency: int,
        ordered: bool,
        max_rate: float | None,
        confirm: bool = False,
    ) -> FanOut:
        """The async fan-out: ``lane_of(n)`` is worker n's lane (the sync router's aiohttp
        session), or None: each cancel takes a free lane of its canceller's own pools."""
        from ._engine.fanout import FanOut

        check_concurrency(concurrency)
        import asyncio

        parent = current_context()  # the caller's: the workers may run on another thread
        per_name = {name: asyncio.Semaphore(concurrency) for name in self._cancellers}
        pacers = {name: Gate(max_rate) for name in self._cancellers} if max_rate else {}
        workers = concurrency * len(self._cancellers)
        lanes: list[AsyncLane] | None = None
        local: dict[str, AsyncLane] = {}
        if lane_of is not None:
            lanes = [lane_of(n) for n in range(workers)]
            # A provider answered in memory keeps its own transport: the shared lanes are the
            # network.
            local = {
                name: HttpxAsyncLane(httpx.AsyncClient(transport=c.provider.async_transport()))
                for name, c in self._cancellers.items()
                if isinstance(c.provider, SupportsTransport)
            }

        async def cancel_one(item: MessageRef | str, worker: int) -> CancelResult:
            try:
                ref, canceller = self._route(item)
            except UnsendError as error:
                return self._finished(_unroutable(item, error), log=True)
            async with per_name[ref.name]:
                lane = local.get(ref.name) or (None if lanes is None else lanes[worker])
                with routed_as(ref.name):
                    pacer = pacers.get(ref.name)
                    result = await fan_out_cancel_async(
                        canceller, ref.message_id, lane, pacer, confirm, parent
                    )
            return self._finished(attrs.evolve(result, name=ref.name), log=True)

        async def cleanup() -> None:
            for lane in local.values():
                await lane.aclose()

        return FanOut(
            refs,  # type: ignore[arg-type]
            cancel_one,
            concurrency=workers,
            ordered=ordered,
            cleanup=cleanup if local else None,
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={c.provider!r}" for name, c in self._cancellers.items())
        return f"{type(self).__name__}({inner})"


def _unroutable(item: object, error: UnsendError) -> CancelResult:
    text = str(item) if isinstance(item, str | MessageRef) else shown(item)
    name, colon, message_id = text.partition(":")
    if not colon:
        name, message_id = "", text
    result = failed_result(name, message_id, error, 0.0)
    return attrs.evolve(result, name=name)


class Router(_RouterBase[Canceller]):
    """Cancels messages by ref across several configured providers, synchronously.

    ``Router({"qstash": "qstash://TOKEN@us-east-1", "push": {"provider": "onesignal", ...},
    "mail": unsend.Courier(token)})``. Keywords ``client`` (an ``httpx.Client`` every provider
    sends through), ``clock``, ``on_retry`` and ``on_result`` apply to every provider.
    ``default`` names the configured provider that serves bare ids (no colon); a ``name:id``
    ref always goes to ``name``, or is unroutable.
    """

    _asynchronous = False

    def __init__(
        self,
        configs: Mapping[str, ProviderConfig],
        *,
        default: str | None = None,
        **extras: Unpack[SyncExtras],
    ) -> None:
        super().__init__(configs, extras, default)
        self._host = SyncFanOutHost(lambda: async_lanes(None, None, "aiohttp"))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], **extras: Unpack[SyncExtras]) -> Router:
        """One table per name: ``[tool.unsend.providers.NAME]`` in a pyproject, or
        ``[providers.NAME]`` in a standalone file."""
        return cls(toml_configs(path), **extras)

    @classmethod
    def from_env(
        cls,
        prefix: str = "UNSEND_",
        *,
        environ: Mapping[str, str] | None = None,
        **extras: Unpack[SyncExtras],
    ) -> Router:
        """One provider per ``UNSEND_<NAME>_DSN`` variable (the name in lower case)."""
        return cls(env_configs(prefix, os.environ if environ is None else environ), **extras)

    def cancel(self, ref: MessageRef | str, *, confirm: bool = False) -> CancelResult:
        """Cancel the message ``ref`` names; ``InvalidMessageId`` for a malformed ref,
        ``ConfigError`` for a name nothing is configured under; otherwise as ``Canceller``."""
        parsed, canceller = self._route(ref)
        try:
            with routed_as(parsed.name):  # the canceller logs it under the router's name
                result = canceller.cancel(parsed.message_id, confirm=confirm)
        except UnsendError as error:
            self._report_failure(parsed, canceller, error)
            raise
        return self._finished(attrs.evolve(result, name=parsed.name))

    def cancel_many(
        self,
        refs: Iterable[MessageRef | str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        max_rate: float | None = None,
        confirm: bool = False,
    ) -> Generator[CancelResult, None, None]:
        """One result per ref, as each completes (``ordered=True``: in input order).

        ``concurrency`` and ``max_rate`` apply to each provider apart. A ref that cannot be
        routed is its failed result; nothing ends the stream early. ``confirm=True`` reads
        each message back after its cancel; a ref whose provider documents no read is a
        failed result (``ConfigError``).
        """
        check_concurrency(concurrency)
        if self.transport == "aiohttp":
            return self._host.run(
                lambda lanes: self._fan_out(refs, lanes, concurrency, ordered, max_rate, confirm)
            )
        return self._threaded(refs, concurrency, ordered, max_rate, confirm)

    def _threaded(
        self,
        refs: Iterable[MessageRef | str],
        concurrency: int,
        ordered: bool,
        max_rate: float | None,
        confirm: bool,
    ) -> Generator[CancelResult, None, None]:
        """The sync fan-out on httpx: worker threads, each cancel on its canceller's pools."""
        import threading

        from ._engine.threads import Stopped, threaded_fan_out

        parent = current_context()
        per_name = {name: threading.Semaphore(concurrency) for name in self._cancellers}
        pacers = {name: Gate(max_rate) for name in self._cancellers} if max_rate else {}
        stopping = threading.Event()

        def cancel_one(item: MessageRef | str, worker: int) -> CancelResult:
            try:
                ref, canceller = self._route(item)
            except UnsendError as error:
                return self._finished(_unroutable(item, error), log=True)
            with per_name[ref.name], routed_as(ref.name):
                if stopping.is_set():  # waited for this provider's slot past the stream's end
                    raise Stopped
                pacer = pacers.get(ref.name)
                result = fan_out_cancel(canceller, ref.message_id, pacer, confirm, parent)
            return self._finished(attrs.evolve(result, name=ref.name), log=True)

        workers = concurrency * len(self._cancellers)
        return threaded_fan_out(
            refs,  # type: ignore[arg-type]
            cancel_one,
            concurrency=workers,
            ordered=ordered,
            stopping=stopping,
        )

    def check(self) -> dict[str, CheckResult]:
        """Each configured provider's ``check()``, by name, one after another."""
        return {
            name: attrs.evolve(canceller.check(), name=name)
            for name, canceller in self._cancellers.items()
        }

    def status(self, ref: MessageRef | str) -> MessageStatus:
        """Where the message ``ref`` names stands (see ``Canceller.status``)."""
        parsed, canceller = self._route(ref)
        return attrs.evolve(canceller.status(parsed.message_id), name=parsed.name)

    def close(self) -> None:
        self._host.close()
        for canceller in self._cancellers.values():
            canceller.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncRouter(_RouterBase[AsyncCanceller]):
    """``Router`` for async code; ``client`` is an ``httpx.AsyncClient``."""

    _asynchronous = True

    def __init__(
        self,
        configs: Mapping[str, ProviderConfig],
        *,
        default: str | None = None,
        **extras: Unpack[AsyncExtras],
    ) -> None:
        super().__init__(configs, extras, default)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], **extras: Unpack[AsyncExtras]) -> AsyncRouter:
        """As ``Router.from_toml``."""
        return cls(toml_configs(path), **extras)

    @classmethod
    def from_env(
        cls,
        prefix: str = "UNSEND_",
        *,
        environ: Mapping[str, str] | None = None,
        **extras: Unpack[AsyncExtras],
    ) -> AsyncRouter:
        """As ``Router.from_env``."""
        return cls(env_configs(prefix, os.environ if environ is None else environ), **extras)

    async def cancel(self, ref: MessageRef | str, *, confirm: bool = False) -> CancelResult:
        """As ``Router.cancel``."""
        parsed, canceller = self._route(ref)
        try:
            with routed_as(parsed.name):
                result = await canceller.cancel(parsed.message_id, confirm=confirm)
        except UnsendError as error:
            self._report_failure(parsed, canceller, error)
            raise
        return self._finished(attrs.evolve(result, name=parsed.name))

    def cancel_many(
        self,
        refs: Iterable[MessageRef | str] | AsyncIterable[MessageRef | str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        max_rate: float | None = None,
        confirm: bool = False,
    ) -> AsyncIterator[CancelResult]:
        """As ``Router.cancel_many``; ``refs`` may be an async iterable."""
        fan = self._fan_out(refs, None, concurrency, ordered, max_rate, confirm)
        return fan.stream()

    async def check(self) -> dict[str, CheckResult]:
        """As ``Router.check``."""
        return {
            name: attrs.evolve(await canceller.check(), name=name)
            for name, canceller in self._cancellers.items()
        }

    async def status(self, ref: MessageRef | str) -> MessageStatus:
        """As ``Router.status``."""
        parsed, canceller = self._route(ref)
        return attrs.evolve(await canceller.status(parsed.message_id), name=parsed.name)

    async def aclose(self) -> None:
        for canceller in self._cancellers.values():
            await canceller.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def toml_configs(path: str | os.PathLike[str]) -> dict[str, ProviderConfig]:
    table = read_toml(path)
    providers = table.get("providers")
    if not isinstance(providers, dict) or not providers:
        where = (
            "[tool.unsend.providers.NAME]"
            if Path(path).name == "pyproject.toml"
            else ("[providers.NAME]")
        )
        raise ConfigError(f"{path} has no {where} tables (one per configured name)")
    for name, config in providers.items():
        if not isinstance(config, dict):
            raise ConfigError(f"{path}: providers.{name} must be a table")
    return dict(providers)


def env_configs(prefix: str, environ: Mapping[str, str]) -> dict[str, ProviderConfig]:
    configs: dict[str, ProviderConfig] = {}
    for variable, value in sorted(environ.items()):
        if variable.startswith(prefix) and variable.endswith("_DSN") and value:
            name = variable[len(prefix) : -len("_DSN")].lower()
            if name:
                configs[name] = env_config(f"{prefix}{name.upper()}_", environ)
    if not configs:
        raise ConfigError(
            f"set one {prefix}<NAME>_DSN per provider, such as "
            f"{prefix}PUSH_DSN=onesignal://APP_ID:API_KEY@ and {prefix}MAIL_DSN=courier://TOKEN@"
        )
    return configs


DEFAULT_NAME = "default"
"""The name ``UNSEND_DSN`` is configured under when ``UNSEND_<NAME>_DSN`` variables are set too."""


def environment_configs(
    prefix: str, environ: Mapping[str, str]
) -> tuple[dict[str, ProviderConfig], str | None] | None:
    """Several providers from the environment, for a router: (configs, default name), or None
    when only the single ``<prefix>DSN`` / ``<prefix>PROVIDER`` is set (a plain canceller).

    With both kinds set, the single one serves bare ids as ``default`` and every ``name:id``
    goes to its own name: a ref is never sent to the default's provider.
    """
    single = any(environ.get(f"{prefix}{key}") for key in ("DSN", "PROVIDER"))
    several = any(
        k.startswith(prefix) and k.endswith("_DSN") and k != f"{prefix}DSN" and v
        for k, v in environ.items()
    )
    if not several:
        return None
    configs = env_configs(prefix, environ)
    if not single:
        return configs, None
    if DEFAULT_NAME in configs:
        raise ConfigError(
            f"{prefix}DSN and {prefix}{DEFAULT_NAME.upper()}_DSN both name the default provider; "
            "set one of them"
        )
    configs[DEFAULT_NAME] = env_config(prefix, environ)
    return configs, DEFAULT_NAME
