"""``Canceller`` and ``AsyncCanceller``: drivers that only send and sleep.

Every decision lives in the engine: a machine (``Call.steps``, ``cancel_steps``)
yields ``Send`` and ``Sleep`` steps; a driver performs each and hands back what happened. The
sync driver sends with an ``httpx.Client`` and sleeps with the clock; the async one awaits both.
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
)
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self, TypedDict, TypeVar, Unpack

import attrs
import httpx

from ._engine.call import (
    Call,
    OnResult,
    OnRetry,
    Reply,
    Step,
    cancel_call,
    cancel_steps,
    secrets_of,
)
from ._engine.clock import Clock, default_clock
from ._engine.fanout import DEFAULT_CONCURRENCY, check_concurrency, failed_result
from ._engine.gate import Gate
from ._engine.lanes import Lanes
from ._engine.pools import Transport, async_lanes, check_transport, sync_lanes
from ._engine.retry import RetryPolicy
from ._engine.sync_host import SyncFanOutHost, close_lanes
from ._engine.transport import AsyncLane, HttpxAsyncLane, drive_async, drive_sync
from ._errors import ConfigError, UnsendError
from ._ids import validate_message_id
from ._logging import log_result, routed_ref
from ._provider import Provider
from ._result import CancelResult, CheckResult, MessageStatus
from ._secret import register_secrets, release_secrets
from ._telemetry import Traced, count_result, current_context, traced

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncCanceller",
    "Canceller",
    "fan_out_cancel",
    "fan_out_cancel_async",
]

if TYPE_CHECKING:
    from ._engine.fanout import FanOut
    from ._engine.shared_gate import SharedGate
    from ._provider import SupportsStatus

T = TypeVar("T")
DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)


def _shared_gate(
    provider: Provider, uri: str | None, max_rate: float | None, clock: Clock
) -> SharedGate | None:
    """The fleet's gate for this provider account, or None for this process's own."""
    if uri is None:
        return None  # the common case: nothing more to import or check
    from ._engine.shared_gate import SharedGate, check_storage_uri, is_shared, scope_of

    check_storage_uri(uri)
    if not is_shared(uri):
        return None
    if max_rate is not None:
        Gate(max_rate)  # the same check of max_rate as without shared storage
    try:
        import redis  # noqa: F401
    except ImportError:
        raise ConfigError(
            "rate_limit_storage needs the redis extra: pip install 'unsend[redis]'"
        ) from None
    app_id = getattr(provider, "app_id", None)  # OneSignal's limit is one bucket per app
    account = (app_id,) if isinstance(app_id, str) else secrets_of(provider)
    scope = scope_of(provider.name, str(getattr(provider, "base_url", "")), account)
    return SharedGate(uri, scope, max_rate, clock)


def _as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


class CancellerOptions(TypedDict, total=False):
    """What every canceller takes besides its provider and client (both clients alike)."""

    timeout: float | httpx.Timeout
    retry: RetryPolicy | None
    clock: Clock | None
    on_retry: OnRetry | None
    on_result: OnResult | None
    max_rate: float | None
    rate_limit_storage: str | None
    transport: Transport


class _CancellerBase:
    def __init__(
        self,
        provider: Provider,
        *,
        client: object,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        on_retry: OnRetry | None = None,
        on_result: OnResult | None = None,
        max_rate: float | None = None,
        rate_limit_storage: str | None = None,
        transport: Transport = "httpx",
    ) -> None:
        self.transport: Transport = check_transport(transport, client)
        """``"httpx"`` (the default) or ``"aiohttp"``: what the async requests travel through."""
        self.provider = provider
        self.timeout = _as_timeout(timeout)
        self.retry = retry if retry is not None else RetryPolicy()
        self.clock: Clock = clock if clock is not None else default_clock()
        self.on_retry = on_retry
        self.on_result = on_result
        self.shared_gate = _shared_gate(provider, rate_limit_storage, max_rate, self.clock)
        # With a shared gate the fleet's limit paces; this process's gate keeps the 429 pause.
        self.gate = Gate(None if self.shared_gate is not None else max_rate)
        self._owns_client = client is None
        self._secrets = secrets_of(provider)
        import weakref

        # The log filter blanks these while this canceller lives; closed or collected, it stops.
        self._release_secrets = weakref.finalize(
            self, release_secrets, register_secrets(self._secrets)
        )

    def _finished(self, result: CancelResult) -> CancelResult:
        log_result(result)
        count_result(result)
        if self.on_result is not None:
            self.on_result(result)
        return result

    def _failed(self, message_id: str, error: UnsendError, started: float) -> None:
        """Report a direct cancel's failure (log, ``on_result``); the error is raised as it was."""
        elapsed = self.clock.monotonic() - started
        failed = failed_result(self.provider.name, message_id, error, elapsed)
        log_result(failed)
        count_result(failed)
        if self.on_result is not None:
            self.on_result(failed)

    def _gates(self, pacer: Gate | None) -> tuple[Gate, ...]:
        return (self.gate,) if pacer is None else (self.gate, pacer)

    def _call(self, message_id: str, pacer: Gate | None = None) -> Call[CancelResult]:
        return cancel_call(
            self.provider,
            message_id,
            policy=self.retry,
            timeout=self.timeout,
            clock=self.clock,
            on_retry=self.on_retry,
            gates=self._gates(pacer),
            secrets=self._current_secrets(),
            shared=self.shared_gate,
        )

    def _steps(
        self, message_id: str, pacer: Gate | None = None, confirm: bool = False
    ) -> Generator[Step, Reply, CancelResult]:
        """One cancel as a machine; with ``confirm``, the read after it (same deadline)."""
        reader = self._status_provider() if confirm else None  # refused before any request
        call = self._call(message_id, pacer)
        steps = cancel_steps(call)
        if reader is None:
            return steps
        from ._engine.confirm import confirm_steps

        def read(left: float) -> Call[MessageStatus]:
            return self._status_call(reader, message_id, within=left)

        return confirm_steps(steps, call, read)

    def _status_provider(self) -> SupportsStatus:
        from ._provider import SupportsStatus

        if isinstance(self.provider, SupportsStatus):
            return self.provider
        raise self._lacks("documented read of a message: its status cannot be read or confirmed")

    def _status_call(
        self, reader: SupportsStatus, message_id: str, within: float | None = None
    ) -> Call[MessageStatus]:
        validate_message_id(message_id, provider=self.provider.name)
        request = reader.status_request(message_id)

        def parse(response: httpx.Response) -> MessageStatus:
            return reader.status_result(message_id, response)

        return self._provider_call(request, parse, message_id, within)

    def _status_steps(self, message_id: str) -> Generator[Step, Reply, MessageStatus]:
        call = self._status_call(self._status_provider(), message_id)
        status = yield from call.steps()
        return attrs.evolve(
            status, attempts=call.attempts, elapsed=self.clock.monotonic() - call.started
        )

    def _check_steps(self) -> Generator[Step, Reply, CheckResult]:
        """The provider's read-only request; every failure becomes the result, never raised."""
        from ._provider import SupportsCheck
        from ._result import CheckResult

        provider = self.provider
        name = provider.name
        if not isinstance(provider, SupportsCheck):
            error = self._lacks("documented read-only request: nothing was checked")
            return CheckResult(name, False, str(error), attempts=0, error=error)
        started = self.clock.monotonic()
        try:
            request = provider.check_request()  # a provider may lack what its check needs
        except UnsendError as error:
            return CheckResult(name, False, str(error), attempts=0, error=error)
        call = self._provider_call(request, provider.check_result, None)
        try:
            detail = yield from call.steps()
        except UnsendError as error:
            elapsed = self.clock.monotonic() - started
            return CheckResult(
                name,
                False,
                f"{type(error).__name__}: {error.message}",
                status_code=error.status_code,
                attempts=call.attempts,
                elapsed=elapsed,
                error=error,
            )
        elapsed = self.clock.monotonic() - started
        return CheckResult(name, True, detail, call.last_status, call.attempts, elapsed)

    def _current_secrets(self) -> tuple[str, ...] | None:
        """The provider's secrets as of now: None (read when the request is built) for one
        whose credential rotates (an OAuth token), else those known at construction."""
        return None if getattr(self.provider, "rotating_secrets", False) else self._secrets

    def _lacks(self, what: str) -> ConfigError:
        return ConfigError(f"{self.provider.name} has no {what}", provider=self.provider.name)

    def _provider_call(
        self,
        request: httpx.Request,
        parse: Callable[[httpx.Response], T],
        item_id: str | None,
        within: float | None = None,
    ) -> Call[T]:
        """One request of the provider's other endpoints, with the usual retries and gate,
        all of it within ``within`` seconds when given (what is left of a longer wait)."""
        policy = self.retry
        if within is not None and within < policy.deadline:
            policy = attrs.evolve(policy, deadline=max(within, 0.001))
        return Call(
            self.provider.name,
            item_id,
            request,
            parse,
            policy=policy,
            timeout=self.timeout,
            clock=self.clock,
            on_retry=self.on_retry,
            gates=(self.gate,),
            secrets=self._current_secrets() or secrets_of(self.provider),  # request built
            shared=self.shared_gate,
        )

    def _fan_out(
        self,
        ids: Iterable[str] | AsyncIterable[str],
        lanes: Callable[[int], AsyncLane] | None,
        concurrency: int,
        ordered: bool,
        max_rate: float | None,
        confirm: bool = False,
    ) -> FanOut:
        """The async cancel_many: ``lanes(n)`` is worker n's lane for its whole run (None:
        each cancel takes a free lane of this canceller's own)."""
        from ._engine.fanout import FanOut

        check_concurrency(concurrency)
        if confirm:
            self._status_provider()  # a provider without a read is refused before anything
        pacer = Gate(max_rate) if max_rate is not None else None
        worker_lanes = [lanes(n) for n in range(concurrency)] if lanes is not None else None
        parent = current_context()  # the caller's: the workers may run on another thread

        async def cancel_one(message_id: str, worker: int) -> CancelResult:
            lane = None if worker_lanes is None else worker_lanes[worker]
            result = await fan_out_cancel_async(self, message_id, lane, pacer, confirm, parent)
            return self._finished(result)

        return FanOut(ids, cancel_one, concurrency=concurrency, ordered=ordered)

    def _threaded(
        self,
        ids: Iterable[str],
        concurrency: int,
        ordered: bool,
        max_rate: float | None,
        confirm: bool,
    ) -> Generator[CancelResult, None, None]:
        """The sync cancel_many on httpx: worker threads over this canceller's own pools."""
        from ._engine.threads import threaded_fan_out

        pacer = Gate(max_rate) if max_rate is not None else None
        parent = current_context()

        def cancel_one(message_id: str, worker: int) -> CancelResult:
            result = fan_out_cancel(self, message_id, pacer, confirm, parent)  # type: ignore[arg-type]
            return self._finished(result)

        return threaded_fan_out(ids, cancel_one, concurrency=concurrency, ordered=ordered)

    def _span(self, message_id: str, parent: object | None = None) -> Traced:
        name = self.provider.name
        return traced("cancel", name, message_id, ref=routed_ref(name, message_id), parent=parent)

    def _operation_span(self, operation: str) -> Traced:
        return traced(operation, self.provider.name)

    def _describe(self, span: Traced, done: object) -> None:
        """An operation's span (a check, a status read): what it came to."""
        if isinstance(done, CheckResult):
            span.set(ok=done.ok, status_code=done.status_code)
        if isinstance(done, MessageStatus):
            span.set(state=done.state.name, provider_state=done.provider_state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider!r}, retry={self.retry!r})"


def _extended(cls: type[C], provider: object, asynchronous: bool) -> type[C]:
    """The canceller class a provider names for itself (``cancellers``: its operations beyond
    cancel, such as bulk actions), imported when first built; ``cls`` for every other one."""
    named = getattr(type(provider), "cancellers", None)
    if not named:
        return cls
    import importlib

    module, _, name = named[1 if asynchronous else 0].partition(":")
    extended: type[C] = getattr(importlib.import_module(module), name)
    return extended


C = TypeVar("C", bound=_CancellerBase)


class Canceller(_CancellerBase):
    """Cancels messages at one provider, synchronously.

    Pass ``client`` to use your own ``httpx.Client`` (proxies, mTLS, HTTP/2, a mock transport);
    unsend then never closes it. Options: ``timeout`` (seconds or ``httpx.Timeout``; default
    connect 5 s, the rest 10 s), ``retry`` (a ``RetryPolicy``), ``clock``, ``on_retry``,
    ``max_rate`` (requests per second), ``transport``. Safe to share between threads.
    ``cancel_many`` runs on worker threads over the same pools; with ``transport="aiohttp"``
    it runs the async fan-out on a private event loop (a daemon thread, started on first use
    and stopped by ``close``).
    """

    def __new__(cls, provider: Provider, **options: object) -> Self:
        chosen = _extended(cls, provider, False) if cls is Canceller else cls
        return super().__new__(chosen)

    def __init__(
        self,
        provider: Provider,
        *,
        client: httpx.Client | None = None,
        **options: Unpack[CancellerOptions],
    ) -> None:
        super().__init__(provider, client=client, **options)
        self._lanes = sync_lanes(client, provider)
        self._host = SyncFanOutHost(lambda: async_lanes(None, provider, "aiohttp"))

    @property
    def client(self) -> httpx.Client:
        """The HTTP client (the first lane, when unsend created its own)."""
        return self._lanes.first

    def cancel(self, message_id: str, *, confirm: bool = False) -> CancelResult:
        """Cancel one message; returns its outcome or raises an ``UnsendError``.

        ``confirm=True`` reads the message back after the cancel, within the same deadline,
        and reports what the provider then says (``CancelResult.confirmation``): docs,
        "Checking and confirming". ``ConfigError`` for a provider that documents no read.
        """
        started = self.clock.monotonic()
        with self._span(message_id) as span:
            try:
                result = self._on_free_lane(self._steps(message_id, confirm=confirm))
            except UnsendError as error:
                self._failed(message_id, error, started)
                raise
            span.finished(result)
        return self._finished(result)

    def _on_free_lane(self, steps: Generator[Step, Reply, T]) -> T:
        """Run a machine on the first lane with a free connection."""
        lane, client = self._lanes.acquire()
        try:
            return drive_sync(steps, client, self.clock)
        finally:
            self._lanes.release(lane)

    def cancel_many(
        self,
        ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        max_rate: float | None = None,
        confirm: bool = False,
    ) -> Generator[CancelResult, None, None]:
        """Cancel every id, ``concurrency`` at a time; yield one result per id as each completes.

        A failure for one id is yielded as its result (``Outcome.FAILED``, ``.error`` set); it
        never ends the stream. ``ordered=True`` yields in input order. ``max_rate`` spaces this
        call's requests (per second). ``confirm=True`` reads each message back after its cancel.
        Ids are read lazily.
        """
        check_concurrency(concurrency)
        if confirm:
            self._status_provider()
        if self.transport == "aiohttp":
            return self._host.run(
                lambda lane_of: self._fan_out(ids, lane_of, concurrency, ordered, max_rate, confirm)
            )
        return self._threaded(ids, concurrency, ordered, max_rate, confirm)

    def status(self, message_id: str) -> MessageStatus:
        """Where the message stands, as the provider's documented read says (docs, "Checking
        and confirming"); ``ConfigError`` for a provider that documents none."""
        return self._drive(self._status_steps(message_id), "status")

    def check(self) -> CheckResult:
        """Whether the provider accepts this configuration and its credentials, through one
        documented read-only request (nothing is cancelled). Failures are in the result."""
        return self._drive(self._check_steps(), "check")

    def _drive(self, steps: Generator[Step, Reply, T], operation: str) -> T:
        with self._operation_span(operation) as span:
            done = drive_sync(steps, self._lanes.fixed(), self.clock)
            self._describe(span, done)
        return done

    def close(self) -> None:
        """Close the HTTP clients if unsend created them, and the private loop if started."""
        self._release_secrets()
        self._host.close()
        if self.shared_gate is not None:
            self.shared_gate.close()
        if self._owns_client:
            for client in self._lanes.built():
                client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncCanceller(_CancellerBase):
    """Cancels messages at one provider, asynchronously.

    Pass ``client`` to use your own ``httpx.AsyncClient``; unsend then never closes it. The
    options are ``Canceller``'s. Without one, unsend sends through its own httpx pools, or,
    with ``transport="aiohttp"`` (the ``unsend[aiohttp]`` extra), one aiohttp session. Safe to
    share between tasks. ``cancel`` runs on asyncio or trio; ``cancel_many`` on asyncio.
    """

    def __new__(cls, provider: Provider, **options: object) -> Self:
        chosen = _extended(cls, provider, True) if cls is AsyncCanceller else cls
        return super().__new__(chosen)

    def __init__(
        self,
        provider: Provider,
        *,
        client: httpx.AsyncClient | None = None,
        **options: Unpack[CancellerOptions],
    ) -> None:
        super().__init__(provider, client=client, **options)
        self._lanes: Lanes[AsyncLane] = async_lanes(client, provider, self.transport)

    @property
    def client(self) -> httpx.AsyncClient | None:
        """Your client, or unsend's own (first) httpx client; None with ``transport="aiohttp"``."""
        lane = self._lanes.first
        return lane.client if isinstance(lane, HttpxAsyncLane) else None

    async def cancel(self, message_id: str, *, confirm: bool = False) -> CancelResult:
        """Cancel one message; returns its outcome or raises an ``UnsendError``
        (``confirm``: as ``Canceller.cancel``)."""
        started = self.clock.monotonic()
        with self._span(message_id) as span:
            try:
                result = await self._on_free_lane(self._steps(message_id, confirm=confirm))
            except UnsendError as error:
                self._failed(message_id, error, started)
                raise
            span.finished(result)
        return self._finished(result)

    async def _on_free_lane(self, steps: Generator[Step, Reply, T]) -> T:
        """Run a machine on the first lane with a free connection."""
        lane, client = self._lanes.acquire()
        try:
            return await drive_async(steps, client, self.clock)
        finally:
            self._lanes.release(lane)

    def cancel_many(
        self,
        ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        max_rate: float | None = None,
        confirm: bool = False,
    ) -> AsyncIterator[CancelResult]:
        """Cancel every id, ``concurrency`` at a time; yield one result per id as each completes.

        ``ids`` may be an iterable or an async iterable, read lazily. A failure for one id is
        yielded as its result (``Outcome.FAILED``, ``.error`` set); it never ends the stream.
        ``ordered=True`` yields in input order; ``max_rate`` spaces this call's requests;
        ``confirm=True`` reads each message back after its cancel.
        """
        fixed = self._lanes.fixed
        fan_out = self._fan_out(ids, lambda _: fixed(), concurrency, ordered, max_rate, confirm)
        return fan_out.stream()

    async def status(self, message_id: str) -> MessageStatus:
        """Where the message stands (see ``Canceller.status``)."""
        return await self._drive(self._status_steps(message_id), "status")

    async def check(self) -> CheckResult:
        """As ``Canceller.check``."""
        return await self._drive(self._check_steps(), "check")

    async def _drive(self, steps: Generator[Step, Reply, T], operation: str) -> T:
        with self._operation_span(operation) as span:
            done = await drive_async(steps, self._lanes.fixed(), self.clock)
            self._describe(span, done)
        return done

    async def aclose(self) -> None:
        """Close the HTTP clients if unsend created them."""
        self._release_secrets()
        if self.shared_gate is not None:
            await self.shared_gate.aclose()
        if self._owns_client:
            await close_lanes(self._lanes)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def fan_out_cancel(
    canceller: Canceller,
    message_id: str,
    pacer: Gate | None,
    confirm: bool,
    parent: object | None,
) -> CancelResult:
    """One cancel of a sync fan-out (the canceller's or a router's), on a free lane of the
    canceller's pools, in its own span: its result, a failure included. Nothing is reported."""
    started = canceller.clock.monotonic()
    with canceller._span(message_id, parent) as span:
        try:
            result = canceller._on_free_lane(canceller._steps(message_id, pacer, confirm))
        except UnsendError as error:
            elapsed = canceller.clock.monotonic() - started
            result = failed_result(canceller.provider.name, message_id, error, elapsed)
        span.finished(result)
    return result


async def fan_out_cancel_async(
    canceller: _CancellerBase,
    message_id: str,
    lane: AsyncLane | None,
    pacer: Gate | None,
    confirm: bool,
    parent: object | None,
) -> CancelResult:
    """One cancel of an async fan-out on ``lane`` (None: a free lane of the canceller's own
    pools), in its own span: its result, a failure included. Nothing is reported."""
    started = canceller.clock.monotonic()
    with canceller._span(message_id, parent) as span:
        try:
            steps = canceller._steps(message_id, pacer, confirm)
            if lane is not None:
                result = await drive_async(steps, lane, canceller.clock)
            else:
                assert isinstance(canceller, AsyncCanceller)  # only its fan-out has no lanes
                result = await canceller._on_free_lane(steps)
        except UnsendError as error:
            elapsed = canceller.clock.monotonic() - started
            result = failed_result(canceller.provider.name, message_id, error, elapsed)
        span.finished(result)
    return result
